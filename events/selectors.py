"""Reads about events, computed in the database."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from donors.models import Donor, DonorEmail
from donors.money import ZERO, MoneyField, money_sum
from donors.money_rules import counted_q, kept_expression
from events.models import RSVP, Answer, Event, EventGift, EventStatus, GuestList, TicketPurchase

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


def invitation_recipients(
    *, event: Event, tags=(), states=(), past_events=(), guest_lists=()
) -> QuerySet[Donor]:
    """Donors matching any of the choices, who may be emailed and have an address, and who
    have neither been invited to nor answered for this event yet."""
    match = Q(pk__in=[])
    if tags:
        match |= Q(tags__in=tags)
    if states:
        match |= Q(addresses__is_primary=True, addresses__region__in=states)
    if past_events:
        match |= Q(rsvps__event__in=past_events, rsvps__answer=Answer.YES)
    if guest_lists:
        match |= Q(guest_lists__in=guest_lists)
    ids = Donor.objects.filter(match).values("pk")
    return (
        Donor.objects.filter(pk__in=ids, email_opt_in=True, do_not_solicit=False)
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


def door_counts(event: Event) -> dict[str, int]:
    """Expected (confirmed seats), arrived (people checked in), walk-ins (people)."""
    figures = RSVP.objects.filter(event=event).aggregate(
        expected=Sum(
            "party_size",
            filter=Q(answer=Answer.YES, waitlist_position__isnull=True, walk_in=False),
        ),
        arrived=Sum("checked_in_count"),
        walk_ins=Sum("checked_in_count", filter=Q(walk_in=True)),
        parties_arrived=Count("pk", filter=Q(checked_in_count__gt=0)),
    )
    return {key: value or 0 for key, value in figures.items()}


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
    """RSVPs by answer, attendance, and the money: tickets, gifts at the event, costs, net."""
    by_answer = {
        row["answer"]: row
        for row in RSVP.objects.filter(event=event)
        .values("answer")
        .annotate(
            parties=Count("pk"),
            seats=Sum("party_size"),
            waiting=Count("pk", filter=Q(waitlist_position__isnull=False)),
        )
    }
    answers = [
        {
            "answer": label,
            "parties": by_answer.get(value, {}).get("parties", 0),
            "seats": by_answer.get(value, {}).get("seats", 0) or 0,
        }
        for value, label in Answer.choices
    ]
    waitlisted = by_answer.get(Answer.YES, {}).get("waiting", 0)
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
        "answers": answers,
        "waitlisted": waitlisted,
        "door": door_counts(event),
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
