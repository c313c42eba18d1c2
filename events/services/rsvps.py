"""RSVPs: answers, capacity and the waitlist, and the confirmation that follows each answer."""

from __future__ import annotations

import dataclasses
import datetime
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone

from common.door import service
from donors.models import Donor, DonorEmail
from donors.services import donor_create
from events import tasks
from events.emails import donor_email, rsvp_confirmation_message, rsvp_request_message
from events.models import RSVP, Answer, Event, Invitation, Table


@service
def seats_taken(event: Event, *, exclude_id: int | None = None) -> int:
    rsvps = RSVP.objects.filter(event=event, answer=Answer.YES, waitlist_position__isnull=True)
    if exclude_id:
        rsvps = rsvps.exclude(pk=exclude_id)
    return rsvps.aggregate(seats=Sum("party_size"))["seats"] or 0


@service
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
    for rsvp in (
        RSVP.objects.select_for_update()
        .filter(event=event, answer=Answer.YES, waitlist_position__isnull=False)
        .order_by("waitlist_position")
    ):
        if rsvp.party_size > free:
            break
        free -= rsvp.party_size
        rsvp.waitlist_position = None
        rsvp.promoted_at = now
        rsvp.answer_version += 1
        rsvp.save(update_fields=["waitlist_position", "promoted_at", "answer_version"])
        promoted.append(rsvp)
    return promoted


def _answer_check(event: Event, *, answer: str, party_size: int, now: datetime.datetime) -> int:
    """The party size to record (1 for a 'no'), or ValidationError when the answer cannot be
    taken."""
    if not event.rsvps_open(now):
        raise ValidationError(rsvp_closed_message(event))
    if answer not in Answer.values:
        raise ValidationError({"answer": "Answer yes, no or maybe."})
    if answer == Answer.NO:
        return 1
    if not 1 <= party_size <= event.party_size_limit:
        raise ValidationError(
            {"party_size": f"A party can be 1 to {event.party_size_limit} people."}
        )
    return party_size


@service
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
    party_size = _answer_check(event, answer=answer, party_size=party_size, now=now)
    if answer == Answer.NO:  # nobody comes: no guests' names or needs are kept
        guest_names = dietary_needs = ""
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


@service
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


@service
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


# --- Answers from the event's public page ----------------------------------------------------
# Anyone can type anyone's email on the public page, so the page records nothing and looks
# nothing up: the answer waits in the shared cache under a random id, the id is emailed (as a
# link) to the address typed, and the answer is recorded only when that link is used. The page
# says the same whoever the address belongs to, and nobody answers for someone else without
# their mailbox. The link holds only the id, so no email address or name travels in URLs (and
# so into access logs), nor in the task queue.

PUBLIC_LINK_DAYS = 3  # how long the emailed confirmation link works
# The waiting answer outlives the link by a day, so a late click is told "expired, answer
# again" rather than "this link does not work"; then the cache forgets it.
_PENDING_SECONDS = (PUBLIC_LINK_DAYS + 1) * 86400
_PENDING_ID = re.compile(r"[A-Za-z0-9_-]{32}")


class PublicLinkInvalid(Exception):
    """The confirmation link is not one we sent (mistyped, cut short), or long forgotten."""


class PublicLinkExpired(PublicLinkInvalid):
    """The confirmation link is older than PUBLIC_LINK_DAYS."""


class PublicLinkUsed(Exception):
    """The answer in this link was already recorded, or the guest has answered since."""


@dataclasses.dataclass(frozen=True)
class PublicAnswer:
    """An answer typed on the public page, waiting for its confirmation link to be used."""

    event_id: int
    first_name: str
    last_name: str
    email: str
    answer: str
    party_size: int
    guest_names: str
    dietary_needs: str
    asked_at: float  # Unix time the page was answered: a later answer supersedes the link
    used: bool = False


def _pending_key(link_id: str) -> str:
    return f"events:rsvp-public:{link_id}"


@service
def rsvp_request_public(
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
) -> str:
    """An answer from the event's public page: keep it waiting and email a link that
    confirms it to the address typed; returns the link's id. Writes nothing to the event or
    the donors and reads nothing about that address (the email task does)."""
    now = now or timezone.now()
    party_size = _answer_check(event, answer=answer, party_size=party_size, now=now)
    if answer == Answer.NO:  # nobody comes: no guests' names or needs are kept
        guest_names = dietary_needs = ""
    link_id = secrets.token_urlsafe(24)
    pending = PublicAnswer(
        event_id=event.pk,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        answer=answer,
        party_size=party_size,
        guest_names=guest_names.strip(),
        dietary_needs=dietary_needs.strip(),
        asked_at=now.timestamp(),
    )
    cache.set(_pending_key(link_id), dataclasses.asdict(pending), timeout=_PENDING_SECONDS)
    tasks.enqueue("events.tasks.rsvp_public_request", link_id)
    return link_id


@service
def rsvp_public_answer(
    link_id: str, *, event: Event | None = None, now: datetime.datetime | None = None
) -> PublicAnswer:
    """The answer waiting behind a confirmation link; PublicLinkInvalid or PublicLinkExpired."""
    values = cache.get(_pending_key(link_id)) if _PENDING_ID.fullmatch(link_id) else None
    if values is None:
        raise PublicLinkInvalid
    found = PublicAnswer(**values)
    if event is not None and found.event_id != event.pk:
        raise PublicLinkInvalid
    age = (now or timezone.now()).timestamp() - found.asked_at
    if age > PUBLIC_LINK_DAYS * 86400:
        raise PublicLinkExpired
    return found


@service
def rsvp_public_request_send(*, link_id: str) -> bool:
    """Email the confirmation link (the task behind ``rsvp_request_public``). A guest who has
    answered already is told their current answer and given their own link too."""
    try:
        found = rsvp_public_answer(link_id)
    except PublicLinkInvalid:
        return False
    event = Event.objects.filter(pk=found.event_id).first()
    if event is None:
        return False
    known = DonorEmail.objects.filter(email=found.email).order_by("donor_id").first()
    current = (
        RSVP.objects.select_related("event", "donor", "invitation")
        .filter(event=event, donor_id=known.donor_id)
        .first()
        if known
        else None
    )
    confirm_url = settings.SITE_URL + reverse("event_rsvp_confirm", args=[event.slug, link_id])
    rsvp_request_message(
        event,
        found,
        to=found.email,
        confirm_url=confirm_url,
        days=PUBLIC_LINK_DAYS,
        current=current,
        rsvp_url=rsvp_url(current) if current else "",
    ).send()
    return True


@service
@transaction.atomic
def rsvp_confirm_public(
    *, event: Event, link_id: str, now: datetime.datetime | None = None
) -> RSVP:
    """Record the answer waiting behind a confirmation link: the donor with that email (or a
    new one) answers, and gets their own link to change it. PublicLinkInvalid,
    PublicLinkExpired; PublicLinkUsed when it was recorded already or the guest has answered
    since. Once recorded, the waiting answer is forgotten (only "used" is kept)."""
    now = now or timezone.now()
    # One answer at a time per event: a double click cannot make two donors or two answers.
    event = Event.objects.select_for_update().get(pk=event.pk)
    found = rsvp_public_answer(link_id, event=event, now=now)
    if found.used:
        raise PublicLinkUsed
    donor = donor_for_email(
        email=found.email, first_name=found.first_name, last_name=found.last_name
    )
    current = RSVP.objects.filter(event=event, donor=donor).first()
    if current is not None and current.answered_at.timestamp() >= found.asked_at:
        raise PublicLinkUsed
    invitation, _ = Invitation.objects.get_or_create(event=event, donor=donor)
    rsvp = rsvp_submit(
        event=event,
        donor=donor,
        answer=found.answer,
        party_size=found.party_size,
        guest_names=found.guest_names,
        dietary_needs=found.dietary_needs,
        invitation=invitation,
        now=now,
    )
    used = dataclasses.replace(
        found, first_name="", last_name="", email="", guest_names="", dietary_needs="", used=True
    )
    transaction.on_commit(
        lambda: cache.set(_pending_key(link_id), dataclasses.asdict(used), timeout=_PENDING_SECONDS)
    )
    return rsvp


@service
def rsvp_url(rsvp: RSVP) -> str:
    invitation = (
        rsvp.invitation
        or Invitation.objects.filter(event_id=rsvp.event_id, donor_id=rsvp.donor_id).first()
    )
    return f"{settings.SITE_URL}{invitation.get_absolute_url()}" if invitation else ""


@service
def rsvp_confirmation_send(*, rsvp_id: int) -> bool:
    """Email the donor their current answer, once per answer (a retry sends nothing more)."""
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


@service
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
