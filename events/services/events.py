"""Events and ticket types, and gifts made at an event."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from donors.models import Donor, GiftMethod
from donors.services import gift_record
from events import tasks
from events.models import Event, EventGift, EventStatus, TicketType


@transaction.atomic
def event_save(*, event: Event) -> Event:
    """Save an event. Setting it to cancelled queues the cancellation notices (each guest and
    ticket buyer is told once, however often it is saved or cancelled)."""
    event.full_clean()
    before = None
    if event.pk:
        before = Event.objects.filter(pk=event.pk).values_list("status", flat=True).first()
    event.save()
    if event.status == EventStatus.CANCELLED and before not in (None, EventStatus.CANCELLED):
        tasks.enqueue("events.tasks.cancellation_notices", event.pk)
    return event


@transaction.atomic
def ticket_type_save(*, ticket_type: TicketType) -> TicketType:
    ticket_type.full_clean()
    ticket_type.save()
    return ticket_type


@transaction.atomic
def event_gift_record(
    *,
    event: Event,
    donor: Donor,
    amount: Decimal | str | int,
    method: str,
    gift_date: datetime.date,
    **fields,
) -> EventGift:
    """A gift pledged and paid at the event (the paddle raise): counted toward the event's
    campaign; nothing is received for it."""
    if fields.get("benefit_value"):
        raise ValidationError({"benefit_value": "A paddle-raise gift buys nothing."})
    fields.setdefault("campaign", event.campaign)
    gift = gift_record(donor=donor, amount=amount, method=method, gift_date=gift_date, **fields)
    link = EventGift(event=event, gift=gift)
    link.full_clean()
    link.save()
    return link


__all__ = ["GiftMethod", "event_gift_record", "event_save", "ticket_type_save"]
