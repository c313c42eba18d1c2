"""Guest lists, invitations and reminders by email, each sent at most once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from common.door import service
from donors.models import Donor
from events import tasks
from events.emails import donor_email, invitation_message, reminder_message
from events.models import RSVP, Answer, Event, EventStatus, GuestList, Invitation
from events.selectors import INVITED_KINDS


@service
@transaction.atomic
def invitations_create(*, event: Event, donors: Iterable[Donor]) -> list[Invitation]:
    """One invitation per donor and event, whatever the number of calls."""
    ids = {d.pk for d in donors}
    have = set(
        Invitation.objects.filter(event=event, donor_id__in=ids).values_list("donor_id", flat=True)
    )
    Invitation.objects.bulk_create(
        [Invitation(event=event, donor_id=donor_id) for donor_id in sorted(ids - have)],
        ignore_conflicts=True,
    )
    invitations = list(
        Invitation.objects.filter(event=event, donor_id__in=ids).select_related("donor", "event")
    )
    # bulk_create sends no save signal: each new invitation's audit entry is written here.
    for invitation in invitations:
        if invitation.donor_id not in have:
            LogEntry.objects.log_create(
                invitation,
                action=LogEntry.Action.CREATE,
                changes=model_instance_diff(None, invitation),
            )
    return invitations


@service
@transaction.atomic
def invitations_delete(*, invitations: QuerySet[Invitation]) -> int:
    """Delete invitations one by one (each deletion is recorded); an answer given through one
    stays, no longer linked to it."""
    count = 0
    for invitation in invitations:
        invitation.delete()
        count += 1
    return count


@service
@transaction.atomic
def guest_list_save(
    *,
    guest_list: GuestList,
    donors: Iterable[Donor],
    events: Iterable[Event],
    created_by=None,
    keep_events: Iterable[Event] = (),
) -> GuestList:
    """Save a guest list with its donors and the events whose organizers it is shared with.
    ``created_by``: who makes a new list; ``keep_events``: sharing that the person saving may
    not see, and so never removes."""
    if guest_list.pk is None and created_by is not None:
        guest_list.created_by = created_by
    guest_list.full_clean()
    guest_list.save()
    guest_list.donors.set(donors)
    guest_list.events.set({*events, *keep_events})
    return guest_list


@service
@transaction.atomic
def guest_lists_delete(*, guest_lists: QuerySet[GuestList]) -> int:
    count = 0
    for guest_list in guest_lists:
        guest_list.delete()
        count += 1
    return count


@service
@transaction.atomic
def invitations_send(
    *, event: Event, donors: Iterable[Donor], include_organizations: bool = False
) -> dict[str, int]:
    """Invite these donors and queue an email for each invitation not sent yet. People and
    households only, unless ``include_organizations``: the organizations among ``donors`` are
    then left uninvited (counted in ``organizations_left_out``).

    The emails are sent by the task worker (events.tasks.invitation): ``queued`` counts those
    handed to it now; each invitation's ``queued_at`` says it waits there until sent."""
    donors = list(donors)
    chosen = [d for d in donors if include_organizations or d.kind in INVITED_KINDS]
    invitations = invitations_create(event=event, donors=chosen)
    waiting = [invitation.pk for invitation in invitations if invitation.sent_at is None]
    # Not recorded one by one (the audit leaves queued_at out): the sending itself is.
    Invitation.objects.filter(pk__in=waiting).update(queued_at=timezone.now())
    for invitation_id in waiting:
        tasks.enqueue("events.tasks.invitation", invitation_id)
    return {
        "invited": len(invitations),
        "queued": len(waiting),
        "already_sent": len(invitations) - len(waiting),
        "organizations_left_out": len(donors) - len(chosen),
    }


@service
def invitation_send(*, invitation_id: int) -> bool:
    """Email one invitation with its link and the calendar file; never twice."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("event", "donor")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at is not None:
            return False
        to = donor_email(invitation.donor)
        if not to:
            # Nowhere to send it (the address was removed since): it no longer waits.
            Invitation.objects.filter(pk=invitation.pk).update(queued_at=None)
            return False
        url = f"{settings.SITE_URL}{invitation.get_absolute_url()}"
        if not invitation_message(invitation, to=to, rsvp_url=url).send():
            # The address is suppressed (donors.mail_backend): it no longer waits either.
            Invitation.objects.filter(pk=invitation.pk).update(queued_at=None)
            return False
        invitation.sent_at = timezone.now()
        invitation.sent_to = to
        invitation.save(update_fields=["sent_at", "sent_to"])
        return True


def _remind(rsvp_id: int, *, days: int, now: datetime.datetime) -> bool:
    field = "reminded_1_at" if days == 1 else "reminded_7_at"
    with transaction.atomic():
        rsvp = (
            RSVP.objects.select_for_update(of=("self",))
            .select_related("event", "donor")
            .filter(pk=rsvp_id, **{f"{field}__isnull": True})
            .first()
        )
        if rsvp is None:
            return False
        to = donor_email(rsvp.donor)
        if to:
            reminder_message(rsvp, to=to, days=days).send()
        setattr(rsvp, field, now)
        fields = [field]
        if days == 1 and rsvp.reminded_7_at is None:
            # Too late for the week-ahead one: it is never sent after this.
            rsvp.reminded_7_at = now
            fields.append("reminded_7_at")
        rsvp.save(update_fields=fields)
        return bool(to)


@service
def event_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind confirmed guests a week and a day ahead (run by the django-q2 schedule; each
    reminder goes once, however often this runs)."""
    now = now or timezone.now()
    sent = 0
    upcoming = Event.objects.filter(
        status=EventStatus.OPEN, starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=7)
    )
    for event in upcoming:
        days = 1 if event.starts_at - now <= datetime.timedelta(days=1) else 7
        field = "reminded_1_at" if days == 1 else "reminded_7_at"
        ids = RSVP.objects.filter(
            event=event,
            answer=Answer.YES,
            waitlist_position__isnull=True,
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for rsvp_id in list(ids):
            sent += _remind(rsvp_id, days=days, now=now)
    return sent
