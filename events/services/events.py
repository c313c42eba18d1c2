"""Events, their organizers, ticket types and tables, and gifts made at an event."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from common.door import service
from donors.models import Donor, Gift, GiftMethod
from donors.money import money
from donors.services import gift_save
from events import tasks
from events.models import Event, EventGift, EventStatus, Table, TicketType
from events.services.rsvps import seats_taken


def capacity_refusal(seats_confirmed: int, capacity: int) -> str | None:
    """Why ``capacity`` cannot be set when ``seats_confirmed`` are taken; None if it can."""
    if capacity is None or capacity >= seats_confirmed:
        return None
    seats = f"{seats_confirmed} seat{'s' if seats_confirmed != 1 else ''}"
    verb = "are" if seats_confirmed != 1 else "is"
    return (
        f"{seats} {verb} already confirmed; capacity can't go below {seats_confirmed}. "
        "Move guests to the waitlist or remove answers first."
    )


@service
def event_capacity_check(*, event: Event, capacity: int | None) -> None:
    """Refuse a lower capacity that would leave confirmed seats (RSVPs, ticket buyers,
    walk-ins, as ``seats_taken`` counts them) without a place, with the figures. Keeping or
    raising it is always allowed: walk-ins may already fill the room past it."""
    if event.pk is None or capacity is None:
        return
    stored = Event.objects.filter(pk=event.pk).values_list("capacity", flat=True).first()
    if stored is None or capacity >= stored:
        return
    refusal = capacity_refusal(seats_taken(event), capacity)
    if refusal:
        raise ValidationError({"capacity": refusal})


# What a guest's calendar shows of an event (events.calendar): a change to any of them raises
# the event's calendar sequence.
CALENDAR_FIELDS = (
    "name", "description", "starts_at", "ends_at", "venue", "address", "city", "state", "status",
)  # fmt: skip


def _shown(value):
    # Calendars keep whole seconds: a form that drops the microseconds changes nothing there.
    return value.replace(microsecond=0) if isinstance(value, datetime.datetime) else value


@service
@transaction.atomic
def event_save(*, event: Event) -> Event:
    """Save an event. Setting it to cancelled queues the cancellation notices (each guest and
    ticket buyer is told once, however often it is saved or cancelled). Capacity never goes
    below the seats already confirmed."""
    event.full_clean()
    if event.pk:
        # Answers take seats holding this lock (rsvp_submit): the count cannot change under us.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        event_capacity_check(event=event, capacity=event.capacity)
    # Stored as cents, so the audit trail sees no false change ("0" and "0.00").
    event.revenue_goal, event.costs = money(event.revenue_goal), money(event.costs)
    stored = None
    if event.pk:
        stored = Event.objects.filter(pk=event.pk).values(*CALENDAR_FIELDS, "calendar_sequence")
        stored = stored.first()
    before = stored["status"] if stored else None
    if stored:
        # Counted from the row, not the instance (an edit form's copy may be older): a calendar
        # that holds the event replaces it with a file of a higher sequence.
        event.calendar_sequence = stored["calendar_sequence"]
        if any(_shown(stored[name]) != _shown(getattr(event, name)) for name in CALENDAR_FIELDS):
            event.calendar_sequence += 1
    event.save()
    if event.status == EventStatus.CANCELLED and before not in (None, EventStatus.CANCELLED):
        tasks.enqueue("events.tasks.cancellation_notices", event.pk)
    return event


@service
@transaction.atomic
def event_organizers_set(*, event: Event, organizers: Iterable, keep=(), add=()) -> None:
    """Who runs the event: ``organizers`` as ticked, plus ``keep`` (organizers the person
    saving may not see or change) and ``add`` (an organizer who creates an event runs it)."""
    event.organizers.set({*organizers, *keep, *add})


@service
@transaction.atomic
def events_delete(*, events: QuerySet[Event]) -> int:
    """Delete events one by one, each with its ticket types, tables, invitations and RSVPs
    (each deletion is recorded). An event with tickets bought or gifts made is kept
    (ProtectedError): its money stays on the books."""
    count = 0
    for event in events:
        event.delete()
        count += 1
    return count


@service
@transaction.atomic
def ticket_type_save(*, ticket_type: TicketType) -> TicketType:
    ticket_type.full_clean()
    ticket_type.price = money(ticket_type.price)
    ticket_type.fair_market_value = money(ticket_type.fair_market_value)
    ticket_type.save()
    return ticket_type


@service
@transaction.atomic
def ticket_type_delete(*, ticket_type: TicketType) -> None:
    """A ticket type nobody bought (one with purchases is protected)."""
    ticket_type.delete()


@service
@transaction.atomic
def table_save(*, table: Table) -> Table:
    table.full_clean()
    table.save()
    return table


@service
@transaction.atomic
def table_delete(*, table: Table) -> None:
    """Remove a table; the guests seated at it keep their RSVPs, with no table."""
    table.delete()


@service
def gift_check(*, gift: Gift) -> None:
    """The checks ``gift_save`` makes of an unsaved gift (its fields and the gift rules),
    without saving it. The tax date is left out: the service derives it as it saves."""
    gift.full_clean(exclude=["tax_date"])


def _event_gift(
    event: Event, donor: Donor, amount, method: str, gift_date: datetime.date, fields: dict
) -> Gift:
    if fields.get("benefit_value"):
        raise ValidationError({"benefit_value": "A paddle-raise gift buys nothing."})
    fields = {"campaign": event.campaign, **fields}
    return Gift(donor=donor, amount=amount, method=method, gift_date=gift_date, **fields)


@service
def event_gift_check(
    *,
    event: Event,
    donor: Donor,
    amount: Decimal | str | int,
    method: str,
    gift_date: datetime.date,
    **fields,
) -> None:
    """Raise the ValidationError ``event_gift_record`` would raise for these values, writing
    nothing (the admin's form shows it before anything is saved)."""
    gift_check(gift=_event_gift(event, donor, amount, method, gift_date, fields))


@service
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
    gift = gift_save(gift=_event_gift(event, donor, amount, method, gift_date, fields))
    link = EventGift(event=event, gift=gift)
    link.full_clean()
    link.save()
    return link


__all__ = [
    "GiftMethod",
    "event_gift_check",
    "event_gift_record",
    "event_organizers_set",
    "event_save",
    "events_delete",
    "table_delete",
    "table_save",
    "ticket_type_delete",
    "ticket_type_save",
]
