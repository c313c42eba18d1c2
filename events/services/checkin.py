"""The door: check a party in, undo it, add walk-ins.

Two organizers may tap the same party at once: each check-in is one conditional UPDATE
("only if nobody checked them in yet"), so the database lets exactly one of them through and
nobody is counted twice.
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


@service
@transaction.atomic
def rsvp_check_in(*, rsvp: RSVP, count: int, now: datetime.datetime | None = None) -> bool:
    """Mark a party arrived with how many came. False when someone already checked them in
    (their count stands: undo first to correct it)."""
    if count < 1:
        raise ValidationError("At least one person must have come.")
    if count > 50:
        raise ValidationError("That is more people than one party can bring.")
    updated = RSVP.objects.filter(pk=rsvp.pk, checked_in_count=0).update(
        checked_in_count=count, checked_in_at=now or timezone.now()
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
    RSVP.objects.filter(pk=rsvp.pk).update(checked_in_count=0, checked_in_at=None)
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
) -> RSVP:
    """Someone at the door without a seat: they become a donor (matched by email when they
    give one) and a checked-in 'yes' marked walk-in. The room, not the RSVP capacity, decides."""
    now = now or timezone.now()
    if not 1 <= count <= 50:
        raise ValidationError({"count": "Between 1 and 50 people."})
    if not (first_name.strip() or last_name.strip()):
        raise ValidationError({"last_name": "Give the guest's name."})
    event = Event.objects.select_for_update().get(pk=event.pk)
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
    rsvp.save()
    return rsvp
