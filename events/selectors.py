"""Reads about events, computed in the database."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from donors.models import Donor, DonorEmail, DonorKind
from donors.money import ZERO, MoneyField, money_sum
from donors.money_rules import counted_q, kept_expression
from donors.segments import segment_donors
from events.models import (
    RSVP,
    Answer,
    Event,
    EventGift,
    EventStatus,
    GuestList,
    TicketHold,
    TicketPurchase,
    TicketType,
)

_MONEY = MoneyField()


# --- Who sees which events ------------------------------------------------------------------


def sees_every_event(user) -> bool:
    """Administrators, Staff and board members (whoever sees giving) see every event; a user
    whose only way in is the Event organizer role sees only the events they organize."""
    return bool(user.is_superuser or user.has_perm("donors.view_gift"))


def events_for(user) -> QuerySet[Event]:
    """The events this user may see and act on: all of them, or those they organize (none
    when they organize none)."""
    if sees_every_event(user):
        return Event.objects.all()
    if not user.is_authenticated:
        return Event.objects.none()
    return Event.objects.filter(pk__in=organized_event_ids(user))


def organized_event_ids(user):
    """A subquery of the ids of the events ``user`` organizes."""
    return Event.organizers.through.objects.filter(user_id=user.pk).values("event_id")


def scoped_to_events(queryset: QuerySet, user, *, field: str = "event") -> QuerySet:
    """``queryset`` narrowed to the rows of events ``user`` sees (``field`` names the event)."""
    if sees_every_event(user):
        return queryset
    return queryset.filter(**{f"{field}__in": organized_event_ids(user)})


def guest_lists_for(user) -> QuerySet:
    """Saved guest lists this user may use: all of them, or for an organizer those they made
    and those shared with an event they organize."""
    if sees_every_event(user):
        return GuestList.objects.all()
    shared = GuestList.events.through.objects.filter(event_id__in=organized_event_ids(user)).values(
        "guestlist_id"
    )
    return GuestList.objects.filter(Q(created_by_id=user.pk) | Q(pk__in=shared))


# Events the board hears about: taking RSVPs, or closed to them but still to happen. Drafts
# are not announced yet; cancelled events will not happen.
UPCOMING_STATUSES = (EventStatus.OPEN, EventStatus.CLOSED)


def next_events(*, now=None, limit: int = 5) -> list[Event]:
    """The next events not over yet (open or closed to RSVPs), soonest first, each with its
    RSVP counts, in one query: ``yes_parties``/``yes_seats`` (confirmed, waitlist apart, as
    ``seats_taken`` counts them), ``waitlist_parties``/``waitlist_seats``, ``maybe_parties``/
    ``maybe_seats`` and ``no_parties``."""
    now = now or timezone.now()
    confirmed = Q(rsvps__answer=Answer.YES, rsvps__waitlist_position__isnull=True)
    waiting = Q(rsvps__answer=Answer.YES, rsvps__waitlist_position__isnull=False)
    maybe = Q(rsvps__answer=Answer.MAYBE)
    return list(
        Event.objects.filter(status__in=UPCOMING_STATUSES, ends_at__gt=now)
        .annotate(
            yes_parties=Count("rsvps", filter=confirmed),
            yes_seats=Coalesce(Sum("rsvps__party_size", filter=confirmed), 0),
            waitlist_parties=Count("rsvps", filter=waiting),
            waitlist_seats=Coalesce(Sum("rsvps__party_size", filter=waiting), 0),
            maybe_parties=Count("rsvps", filter=maybe),
            maybe_seats=Coalesce(Sum("rsvps__party_size", filter=maybe), 0),
            no_parties=Count("rsvps", filter=Q(rsvps__answer=Answer.NO)),
        )
        .order_by("starts_at", "pk")[:limit]
    )


# Who is invited unless the organizer chooses to include organizations: an invitation is to
# a dinner, for people (companies, foundations, fund sponsors, giving platforms and government
# units have no one to seat unless someone decides so).
INVITED_KINDS = (DonorKind.PERSON, DonorKind.HOUSEHOLD)


def invitable(donors: QuerySet[Donor], *, include_organizations: bool) -> QuerySet[Donor]:
    """``donors`` narrowed to people and households, unless organizations are included."""
    return donors if include_organizations else donors.filter(kind__in=INVITED_KINDS)


def organizations_left_out(*, event: Event, **choices) -> int:
    """How many organizations the choices match that are left out unless included."""
    every = invitation_recipients(event=event, include_organizations=True, **choices)
    return every.exclude(kind__in=INVITED_KINDS).count()


def invitation_status(event: Event) -> dict[str, int]:
    """The event's invitations: ``sent``, ``queued`` (waiting for the task worker) and
    ``not_sent`` (made but never queued, from the back office)."""
    return event.invitations.aggregate(
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        queued=Count("pk", filter=Q(sent_at__isnull=True, queued_at__isnull=False)),
        not_sent=Count("pk", filter=Q(sent_at__isnull=True, queued_at__isnull=True)),
    )


def my_events(user, *, now=None, past_limit: int = 10) -> tuple[list[Event], list[Event]]:
    """The events ``user`` runs (every event for those who see them all): those not over yet,
    soonest first, and the latest ``past_limit`` that are over, most recent first."""
    now = now or timezone.now()
    upcoming = list(upcoming_events(user, now=now))
    past = list(
        events_for(user).filter(ends_at__lte=now).order_by("-starts_at", "-pk")[:past_limit]
    )
    return upcoming, past


def upcoming_events(user, *, now=None) -> QuerySet[Event]:
    """The events ``user`` runs that are not over yet, soonest first (the staff home's count
    and the upcoming part of /my-events/)."""
    return events_for(user).filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "pk")


def invitation_recipients(
    *,
    event: Event,
    tags=(),
    states=(),
    past_events=(),
    guest_lists=(),
    segments=(),
    include_organizations: bool = False,
) -> QuerySet[Donor]:
    """Donors matching any of the choices (a segment: the donors its criteria select), who may be emailed and have an address, and who
    have neither been invited to nor answered for this event yet: people and households, and
    organizations only when ``include_organizations``."""
    match = Q(pk__in=[])
    if tags:
        match |= Q(tags__in=tags)
    if states:
        match |= Q(addresses__is_primary=True, addresses__region__in=states)
    if past_events:
        match |= Q(rsvps__event__in=past_events, rsvps__answer=Answer.YES)
    if guest_lists:
        match |= Q(guest_lists__in=guest_lists)
    for segment in segments:
        match |= Q(pk__in=segment_donors(segment.definition).values("pk"))
    ids = Donor.objects.filter(match).values("pk")
    donors = invitable(Donor.objects.all(), include_organizations=include_organizations)
    return (
        donors.filter(pk__in=ids, email_opt_in=True, do_not_solicit=False)
        .filter(emails__isnull=False)
        .exclude(invitations__event=event, invitations__sent_at__isnull=False)
        .exclude(rsvps__event=event)
        .distinct()
        .order_by("sort_name")
    )


def attendees(event: Event) -> QuerySet[RSVP]:
    """Everyone coming (or who came): confirmed 'yes' answers and walk-ins, with contacts."""
    primary_email = DonorEmail.objects.filter(donor=OuterRef("donor_id")).order_by(
        "-is_primary", "id"
    )
    return (
        RSVP.objects.filter(event=event, answer=Answer.YES, waitlist_position__isnull=True)
        .select_related("donor", "table")
        .prefetch_related("guests__meal")
        .annotate(email=Subquery(primary_email.values("email")[:1]))
        .order_by("donor__sort_name", "id")
    )


# --- The counts: one function for every page, PDF and export -----------------------------


@dataclasses.dataclass(frozen=True)
class EventCounts:
    """Every count of an event, as the door page, the door-list PDF, the summary, "My events"
    and the public page show it.

    Seats are what answers hold: a confirmed "yes" (an RSVP, or a ticket buyer, whose purchase
    makes their RSVP a confirmed "yes") holds its party size; a "yes" on the waitlist holds
    none. *Expected* is the seats booked ahead (confirmed, walk-ins apart); *arrived* is the
    people checked in from those parties, so "arrived 20 of 34 expected" compares like with
    like; *walk-ins* are people who came without a booking, shown apart; *in the room* is
    both. A walk-in still takes seats in the room, so *seats left* is capacity less every
    confirmed seat (walk-ins included), as ``seats_taken`` counts them when an RSVP is
    answered. Tickets left (per type) also take off the seats of tickets being paid for right
    now, as the ticket sale does, so a ticket never shows more left than the seats left."""

    capacity: int
    seats_confirmed: int
    parties_confirmed: int
    expected: int
    parties_expected: int
    arrived: int
    parties_arrived: int
    not_arrived: int
    walk_ins: int
    walk_in_parties: int
    waitlist: int
    waitlist_parties: int
    maybe: int
    maybe_parties: int
    declined_parties: int
    seats_held: int
    ticket_left: Mapping[int, int] = dataclasses.field(default_factory=dict)

    @property
    def in_room(self) -> int:
        return self.arrived + self.walk_ins

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_confirmed, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0

    def tickets_left(self, ticket_type) -> int:
        """Tickets of this type that can still be bought: what is left of its quantity (sold
        and held ones taken off), and never more than the seats left (less those being paid
        for) can take."""
        return self.ticket_left.get(ticket_type.pk, 0)

    def door(self) -> dict[str, int]:
        """The figures the door page shows and refreshes (JSON)."""
        keys = ("expected", "arrived", "walk_ins", "in_room", "not_arrived", "parties_arrived")
        return {key: getattr(self, key) for key in keys} | {"seats_left": self.seats_left}


def _ticket_left(event: Event, *, seats_left: int, now) -> dict[int, int]:
    sold = TicketPurchase.objects.filter(ticket_type=OuterRef("pk")).values("ticket_type")
    held = TicketHold.objects.filter(ticket_type=OuterRef("pk"), expires_at__gt=now).values(
        "ticket_type"
    )
    types = TicketType.objects.filter(event=event).annotate(
        sold=Coalesce(Subquery(sold.annotate(n=Sum("quantity")).values("n")), 0),
        held=Coalesce(Subquery(held.annotate(n=Sum("quantity")).values("n")), 0),
    )
    left = {}
    for ticket in types.only("pk", "seats", "quantity"):
        by_seats = seats_left // ticket.seats
        if ticket.quantity is not None:
            by_seats = min(by_seats, ticket.quantity - ticket.sold - ticket.held)
        left[ticket.pk] = max(by_seats, 0)
    return left


def event_counts(event: Event, *, now=None) -> EventCounts:
    """All the counts of one event (three queries): see ``EventCounts``."""
    now = now or timezone.now()
    confirmed = Q(answer=Answer.YES, waitlist_position__isnull=True)
    booked = confirmed & Q(walk_in=False)
    walk_in = confirmed & Q(walk_in=True)
    waiting = Q(answer=Answer.YES, waitlist_position__isnull=False)
    maybe = Q(answer=Answer.MAYBE)
    figures = RSVP.objects.filter(event=event).aggregate(
        seats_confirmed=Sum("party_size", filter=confirmed),
        parties_confirmed=Count("pk", filter=confirmed),
        expected=Sum("party_size", filter=booked),
        parties_expected=Count("pk", filter=booked),
        arrived=Sum("checked_in_count", filter=booked),
        parties_arrived=Count("pk", filter=booked & Q(checked_in_count__gt=0)),
        not_arrived=Sum("party_size", filter=booked & Q(checked_in_count=0)),
        walk_ins=Sum("checked_in_count", filter=walk_in),
        walk_in_parties=Count("pk", filter=walk_in & Q(checked_in_count__gt=0)),
        waitlist=Sum("party_size", filter=waiting),
        waitlist_parties=Count("pk", filter=waiting),
        maybe=Sum("party_size", filter=maybe),
        maybe_parties=Count("pk", filter=maybe),
        declined_parties=Count("pk", filter=Q(answer=Answer.NO)),
    )
    figures = {key: value or 0 for key, value in figures.items()}
    held = TicketHold.objects.filter(ticket_type__event=event, expires_at__gt=now).aggregate(
        n=Sum("seats")
    )["n"]
    counts = EventCounts(capacity=event.capacity, seats_held=held or 0, **figures)
    on_sale = max(counts.seats_left - counts.seats_held, 0)
    left = _ticket_left(event, seats_left=on_sale, now=now)
    return dataclasses.replace(counts, ticket_left=MappingProxyType(left))


def door_counts(event: Event) -> dict[str, int]:
    """The door page's figures, from ``event_counts``."""
    return event_counts(event).door()


def door_search(event: Event, query: str, *, limit: int = 25) -> QuerySet[RSVP]:
    """RSVPs whose guest's name or email contains the query (what the door types)."""
    query = query.strip()
    rsvps = attendees(event)
    if query:
        rsvps = rsvps.filter(
            Q(donor__display_name__icontains=query)
            | Q(donor__emails__email__icontains=query)
            | Q(guests__name__icontains=query)
        ).distinct()
    return rsvps[:limit]


def event_summary(event: Event) -> dict:
    """The counts (``event_counts``), and the money: tickets, gifts at the event, costs, net."""
    kept = kept_expression("gift__")
    counted = counted_q("gift__")
    tickets = TicketPurchase.objects.filter(event=event).aggregate(
        revenue=Coalesce(money_sum(kept, filter=counted), Value(ZERO), output_field=_MONEY),
        benefit=Coalesce(
            money_sum("gift__benefit_value", filter=counted), Value(ZERO), output_field=_MONEY
        ),
        sold=Coalesce(Sum("quantity", filter=counted), 0),
    )
    paddle = EventGift.objects.filter(event=event).aggregate(
        total=Coalesce(money_sum(kept, filter=counted), Value(ZERO), output_field=_MONEY),
        gifts=Count("pk", filter=counted),
    )
    revenue = tickets["revenue"] + paddle["total"]
    net = revenue - event.costs
    return {
        "counts": event_counts(event),
        "meals": meal_counts(event),
        "tickets_sold": tickets["sold"],
        "ticket_revenue": tickets["revenue"],
        "ticket_benefit": tickets["benefit"],
        "paddle_total": paddle["total"],
        "paddle_gifts": paddle["gifts"],
        "revenue": revenue,
        "costs": event.costs,
        "net": net,
        "goal": event.revenue_goal,
        "net_of_goal": (net / event.revenue_goal) if event.revenue_goal else None,
        "to_goal": max(event.revenue_goal - net, Decimal("0.00")),
    }


def seating(event: Event) -> dict:
    """The seating chart: each table with the confirmed parties at it and its seats left, and
    the confirmed parties not yet seated. Three queries whatever the size."""
    parties = list(
        RSVP.objects.filter(event=event, answer=Answer.YES, waitlist_position__isnull=True)
        .select_related("donor")
        .prefetch_related("guests__meal")
        .order_by("donor__sort_name", "id")
    )
    tables = list(event.tables.all())
    by_table: dict[int, list[RSVP]] = {}
    for rsvp in parties:
        by_table.setdefault(rsvp.table_id, []).append(rsvp)
    rows = []
    for table in sorted(tables, key=lambda t: _natural(t.name)):
        seated = by_table.get(table.pk, [])
        taken = sum(r.party_size for r in seated)
        rows.append({"table": table, "parties": seated, "taken": taken,
                     "left": table.seats - taken, "over": max(taken - table.seats, 0)})  # fmt: skip
    unseated = by_table.get(None, [])
    return {
        "tables": rows,
        "unseated": unseated,
        "unseated_people": sum(r.party_size for r in unseated),
        "seats": sum(t.seats for t in tables),
    }


def meal_counts(event: Event) -> list[dict]:
    """How many of the confirmed guests chose each meal, then those who chose none yet (a
    seat with no meal: a guest without a row, or a row without a meal)."""
    confirmed = Q(guests__rsvp__answer=Answer.YES, guests__rsvp__waitlist_position__isnull=True)
    menu = list(
        event.menu_choices.annotate(n=Count("guests", filter=confirmed)).values_list("name", "n")
    )
    seats = seats_confirmed(event)
    chosen = sum(n for _, n in menu)
    rows = [{"meal": name, "count": n} for name, n in menu]
    if menu:
        rows.append({"meal": "Not chosen yet", "count": max(seats - chosen, 0)})
    return rows


def seats_confirmed(event: Event) -> int:
    return (
        RSVP.objects.filter(
            event=event, answer=Answer.YES, waitlist_position__isnull=True
        ).aggregate(n=Sum("party_size"))["n"]
        or 0
    )


def _natural(name: str) -> list:
    """ "Table 2" before "Table 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]
