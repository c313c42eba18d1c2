"""The door: check a party in, undo it, add walk-ins.

Two organizers may tap the same party at once: each check-in is one conditional UPDATE
("only if nobody checked them in yet"), so the database lets exactly one of them through and
nobody is counted twice.

The door page may also send the same tap twice: a dropped connection leaves it not knowing
whether the first one landed, so it sends it again when the connection is back. Each tap carries
a key of its own (``attempt``); the key of the tap that checked a party in is kept on the RSVP,
so a repeat is recognised as that same check-in (:func:`same_attempt`), and a repeated walk-in
returns the walk-in already added instead of adding another.
"""

from __future__ import annotations

import copy
import datetime

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.door import service
from donors.services import donor_create
from events.models import RSVP, Answer, Event
from events.services.rsvps import donor_for_email


def _door_record(rsvp_id: int, before: dict) -> None:
    """The audit entry of a check-in or its undo. The conditional UPDATE that makes them safe
    sends no save signal, so the entry is written here, with the same actor and diff a save
    would have had."""
    after = RSVP.objects.get(pk=rsvp_id)
    old = copy.copy(after)
    for field, value in before.items():
        setattr(old, field, value)
    LogEntry.objects.log_create(
        after,
        action=LogEntry.Action.UPDATE,
        changes=model_instance_diff(old, after, fields_to_check=list(before)),
    )


def same_attempt(rsvp: RSVP, attempt: str) -> bool:
    """Whether the party's check-in is the one the door page's tap ``attempt`` made (a repeat
    of it after a dropped connection, not a second check-in)."""
    return bool(attempt) and rsvp.checked_in_count > 0 and rsvp.checkin_attempt == attempt


@service
@transaction.atomic
def rsvp_check_in(
    *, rsvp: RSVP, count: int, now: datetime.datetime | None = None, attempt: str = ""
) -> bool:
    """Mark a party arrived with how many came. False when they are already checked in
    (their count stands: undo first to correct it). ``attempt``: the door page's key for this
    tap, kept so that a repeat of it is known (:func:`same_attempt`)."""
    if count < 1:
        raise ValidationError("At least one person must have come.")
    if count > 50:
        raise ValidationError("That is more people than one party can bring.")
    updated = RSVP.objects.filter(pk=rsvp.pk, checked_in_count=0).update(
        checked_in_count=count, checked_in_at=now or timezone.now(), checkin_attempt=attempt
    )
    if updated:
        _door_record(rsvp.pk, {"checked_in_count": 0, "checked_in_at": None})
    return updated == 1


@service
@transaction.atomic
def rsvp_check_in_undo(*, rsvp: RSVP) -> bool:
    before = (
        RSVP.objects.select_for_update()
        .filter(pk=rsvp.pk, checked_in_count__gt=0)
        .values("checked_in_count", "checked_in_at")
        .first()
    )
    if before is None:
        return False
    RSVP.objects.filter(pk=rsvp.pk).update(
        checked_in_count=0, checked_in_at=None, checkin_attempt=""
    )
    _door_record(rsvp.pk, before)
    return True


@service
@transaction.atomic
def walk_in_add(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str = "",
    count: int = 1,
    dietary_needs: str = "",
    now: datetime.datetime | None = None,
    attempt: str = "",
) -> RSVP:
    """Someone at the door without a seat: they become a donor (matched by email when they
    give one) and a checked-in 'yes' marked walk-in. The room, not the RSVP capacity, decides.
    ``attempt``: the door page's key for this tap; a repeat of it returns the walk-in it added."""
    now = now or timezone.now()
    if not 1 <= count <= 50:
        raise ValidationError({"count": "Between 1 and 50 people."})
    if not (first_name.strip() or last_name.strip()):
        raise ValidationError({"last_name": "Give the guest's name."})
    event = Event.objects.select_for_update().get(pk=event.pk)
    if attempt:
        done = RSVP.objects.filter(event=event, checkin_attempt=attempt).first()
        if done is not None and done.checked_in_count:
            return done
    if email.strip():
        donor = donor_for_email(email=email, first_name=first_name, last_name=last_name)
    else:
        donor = donor_create(first_name=first_name.strip(), last_name=last_name.strip())
    rsvp = RSVP.objects.select_for_update().filter(event=event, donor=donor).first()
    if rsvp is not None and rsvp.checked_in_count:
        raise ValidationError(f"{donor} is already checked in.")
    if rsvp is None:
        rsvp = RSVP(event=event, donor=donor, walk_in=True)
    elif not rsvp.confirmed:
        rsvp.walk_in = True
    rsvp.answer = Answer.YES
    rsvp.waitlist_position = None
    rsvp.party_size = max(count, rsvp.party_size if rsvp.pk else 1)
    if dietary_needs.strip():
        rsvp.dietary_needs = dietary_needs.strip()
    rsvp.checked_in_count = count
    rsvp.checked_in_at = now
    rsvp.checkin_attempt = attempt
    rsvp.save()
    return rsvp
