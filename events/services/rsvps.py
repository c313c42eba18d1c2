"""RSVPs: answers, capacity and the waitlist, and the confirmation that follows each answer."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from donors.models import Donor, DonorEmail
from donors.services import donor_create
from events.models import RSVP, Answer, Event, Invitation, Table
from events import tasks


def seats_taken(event: Event, *, exclude_id: int | None = None) -> int:
    rsvps = RSVP.objects.filter(event=event, answer=Answer.YES, waitlist_position__isnull=True)
    if exclude_id:
        rsvps = rsvps.exclude(pk=exclude_id)
    return rsvps.aggregate(seats=Sum("party_size"))["seats"] or 0


def rsvp_closed_message(event: Event) -> str:
    if event.status == "cancelled":
        return "This event was cancelled."
    if event.status != "open":
        return "This event is not taking RSVPs."
    when = event.local_deadline.strftime("%B %-d, %Y at %-I:%M %p")
    return f"RSVPs closed on {when}."


def _waitlist_promote(event: Event, *, now: datetime.datetime) -> list[RSVP]:
    """Give freed seats to the waitlist strictly in order: the first in line who does not fit
    stops it, so nobody is skipped for a smaller party behind them."""
    free = event.capacity - seats_taken(event)
    promoted = []
    for rsvp in RSVP.objects.select_for_update().filter(
        event=event, answer=Answer.YES, waitlist_position__isnull=False
    ).order_by("waitlist_position"):
        if rsvp.party_size > free:
            break
        free -= rsvp.party_size
        rsvp.waitlist_position = None
        rsvp.promoted_at = now
        rsvp.answer_version += 1
        rsvp.save(update_fields=["waitlist_position", "promoted_at", "answer_version"])
        promoted.append(rsvp)
    return promoted


@transaction.atomic
def rsvp_submit(
    *,
    event: Event,
    donor: Donor,
    answer: str,
    party_size: int = 1,
    guest_names: str = "",
    dietary_needs: str = "",
    invitation: Invitation | None = None,
    now: datetime.datetime | None = None,
) -> RSVP:
    """Record (or change) a donor's answer. A 'yes' that does not fit joins the waitlist;
    seats given back go to the waitlist in order. A confirmation email follows."""
    now = now or timezone.now()
    # One answer at a time per event: the seat count below cannot change under us.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.rsvps_open(now):
        raise ValidationError(rsvp_closed_message(event))
    if answer not in Answer.values:
        raise ValidationError({"answer": "Answer yes, no or maybe."})
    if answer == Answer.NO:
        party_size = 1
    if not 1 <= party_size <= event.party_size_limit:
        raise ValidationError(
            {"party_size": f"A party can be 1 to {event.party_size_limit} people."}
        )
    rsvp = RSVP.objects.select_for_update().filter(event=event, donor=donor).first()
    if rsvp is None:
        rsvp = RSVP(event=event, donor=donor)
    was_confirmed = bool(rsvp.pk) and rsvp.confirmed
    old_size = rsvp.party_size if rsvp.pk else 0

    rsvp.answer = answer
    rsvp.party_size = party_size
    rsvp.guest_names = guest_names.strip()
    rsvp.dietary_needs = dietary_needs.strip()
    if invitation is not None:
        rsvp.invitation = invitation
    rsvp.answered_at = now
    if answer == Answer.YES:
        others = seats_taken(event, exclude_id=rsvp.pk)
        if was_confirmed:
            if others + party_size > event.capacity:
                left = event.capacity - others
                raise ValidationError(
                    {
                        "party_size": f"Only {left} seat{'s' if left != 1 else ''} can be yours: "
                        f"your party of {old_size} stays confirmed."
                    }
                )
        elif rsvp.waitlist_position is None:
            someone_waiting = RSVP.objects.filter(
                event=event, waitlist_position__isnull=False
            ).exists()
            if someone_waiting or others + party_size > event.capacity:
                last = RSVP.objects.filter(event=event).aggregate(m=Max("waitlist_position"))["m"]
                rsvp.waitlist_position = (last or 0) + 1
    else:
        rsvp.waitlist_position = None
    rsvp.answer_version += 1
    rsvp.full_clean(exclude=["event", "donor", "invitation"])
    rsvp.save()

    promoted = []
    if was_confirmed and (not rsvp.confirmed or rsvp.party_size < old_size):
        promoted = _waitlist_promote(event, now=now)
    for changed in [rsvp, *promoted]:
        tasks.enqueue("events.tasks.rsvp_confirmation", changed.pk)
    return rsvp


@transaction.atomic
def rsvps_delete(*, rsvps, now: datetime.datetime | None = None) -> int:
    """Delete answers (organizers, in the admin); seats they held go to the waitlist."""
    now = now or timezone.now()
    event_ids = sorted(set(rsvps.values_list("event_id", flat=True)))
    events = list(Event.objects.select_for_update().filter(pk__in=event_ids).order_by("pk"))
    count = 0
    for rsvp in RSVP.objects.filter(pk__in=list(rsvps.values_list("pk", flat=True))):
        rsvp.delete()  # one by one: each leaves its own record in the admin's history
        count += 1
    for event in events:
        for promoted in _waitlist_promote(event, now=now):
            tasks.enqueue("events.tasks.rsvp_confirmation", promoted.pk)
    return count


def donor_for_email(*, email: str, first_name: str, last_name: str) -> Donor:
    """The donor who has this email address, or a new one. Nothing about the match is shown
    to the person who typed it."""
    email = email.strip().lower()
    found = (
        DonorEmail.objects.filter(email=email).select_related("donor").order_by("donor_id").first()
    )
    if found:
        return found.donor
    return donor_create(first_name=first_name.strip(), last_name=last_name.strip(), email=email)


class AlreadyAnswered(Exception):
    """The public form named someone who has already answered: their answer is theirs to
    change through their own link, which has been emailed to them."""


@transaction.atomic
def rsvp_submit_public(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str,
    answer: str,
    party_size: int = 1,
    guest_names: str = "",
    dietary_needs: str = "",
    now: datetime.datetime | None = None,
) -> RSVP:
    """An answer from the event's public page: the donor is matched by email or created, and
    gets a private link (an invitation of their own) to change the answer later.

    Typing someone's email never changes their answer: when that donor has already answered,
    nothing changes and their link is emailed to them instead (``AlreadyAnswered``)."""
    if not (event.rsvps_open(now or timezone.now())):
        raise ValidationError(rsvp_closed_message(event))
    donor = donor_for_email(email=email, first_name=first_name, last_name=last_name)
    invitation, _ = Invitation.objects.get_or_create(event=event, donor=donor)
    existing = RSVP.objects.filter(event=event, donor=donor).first()
    if existing is not None:
        tasks.enqueue("events.tasks.rsvp_link", existing.pk)
        raise AlreadyAnswered
    return rsvp_submit(
        event=event,
        donor=donor,
        answer=answer,
        party_size=party_size,
        guest_names=guest_names,
        dietary_needs=dietary_needs,
        invitation=invitation,
        now=now,
    )


def rsvp_link_send(*, rsvp_id: int) -> bool:
    """Email a guest the link to their own answer (asked for through the public page)."""
    from events.emails import donor_email, rsvp_link_message

    rsvp = RSVP.objects.select_related("event", "donor", "invitation").filter(pk=rsvp_id).first()
    to = donor_email(rsvp.donor) if rsvp else ""
    if not to:
        return False
    rsvp_link_message(rsvp, to=to, rsvp_url=rsvp_url(rsvp)).send()
    return True


def rsvp_url(rsvp: RSVP) -> str:
    invitation = rsvp.invitation or Invitation.objects.filter(
        event_id=rsvp.event_id, donor_id=rsvp.donor_id
    ).first()
    return f"{settings.SITE_URL}{invitation.get_absolute_url()}" if invitation else ""


def rsvp_confirmation_send(*, rsvp_id: int) -> bool:
    """Email the donor their current answer, once per answer (a retry sends nothing more)."""
    from events.emails import donor_email, rsvp_confirmation_message

    with transaction.atomic():
        rsvp = (
            RSVP.objects.select_for_update(of=("self",))
            .select_related("event", "donor", "invitation")
            .filter(pk=rsvp_id)
            .first()
        )
        if rsvp is None or rsvp.confirmed_version >= rsvp.answer_version:
            return False
        to = donor_email(rsvp.donor)
        if to:
            message = rsvp_confirmation_message(rsvp, to=to, rsvp_url=rsvp_url(rsvp))
            message.send()
        rsvp.confirmed_version = rsvp.answer_version
        rsvp.save(update_fields=["confirmed_version"])
        return bool(to)


@transaction.atomic
def rsvp_details_save(
    *, rsvp: RSVP, table: Table | None, guest_names: str, dietary_needs: str
) -> RSVP:
    """What organizers keep on an answer: the table, the guests' names, dietary needs."""
    if table is not None and table.event_id != rsvp.event_id:
        raise ValidationError({"table": "That table belongs to another event."})
    rsvp.table = table
    rsvp.guest_names = guest_names.strip()
    rsvp.dietary_needs = dietary_needs.strip()
    rsvp.save(update_fields=["table", "guest_names", "dietary_needs"])
    return rsvp
