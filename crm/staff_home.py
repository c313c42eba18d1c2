"""The staff home: the back office's first page says what needs doing today.

Each card is a figure and a link to the list it counts. The figure is computed by the same
selector the list filters with (donors.selectors, compliance.services.calendar,
events.selectors), so the two cannot disagree; a card is shown only to a user allowed to open
its list. A query per card (two for deadlines and events, which name the next three), whatever
the number of rows; counting stops at the admin lists' limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from compliance.services import calendar
from compliance.services.receipts import gifts_due_for_receipt
from donors.admin.base import EstimatedCountPaginator
from donors.selectors import (
    IMPORT_REJECTS_DAYS,
    gifts_to_thank,
    imports_with_rejected_rows,
    payment_failures_at_risk,
    stripe_events_needing_attention,
)
from events.selectors import upcoming_events

# How many of the next deadlines and events the home names (the link shows them all).
NEXT_SHOWN = 3
# Past this a figure reads "10,000+", as the admin's lists say "more than 10,000": counting
# stops there, so a backlog of millions costs the page no more than one of ten thousand.
COUNT_UP_TO = EstimatedCountPaginator.COUNT_UP_TO


def _count(queryset) -> int:
    return queryset.order_by()[: COUNT_UP_TO + 1].count()


@dataclass
class Card:
    key: str
    title: str
    count: int
    url: str
    empty: str
    # The first few rows by name, for the deadlines and events cards.
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_UP_TO

    @property
    def shown(self) -> str:
        return f"{COUNT_UP_TO:,}+" if self.capped else f"{self.count:,}"


def _may_issue_receipts(user) -> bool:
    # The same rule as the gifts list's "Issue receipts…" action (compliance.admin).
    return user.has_perm("compliance.add_receipt") and user.has_perm("donors.change_gift")


def staff_home_cards(user) -> list[Card]:
    """The cards ``user`` may see, in the order of a day's work."""
    now = timezone.now()
    cards: list[Card] = []
    if user.has_perm("donors.change_gift"):
        cards.append(
            Card(
                "thanks",
                "Gifts to thank",
                _count(gifts_to_thank(now=now)),
                reverse("thanks_queue"),
                "Every donor has been thanked.",
            )
        )
    if _may_issue_receipts(user):
        cards.append(
            Card(
                "receipts",
                "Receipts due",
                _count(gifts_due_for_receipt()),
                reverse("admin:donors_gift_changelist") + "?receipt=due",
                "Every kept gift has its receipt.",
            )
        )
    if user.has_perm("donors.view_paymentfailure"):
        cards.append(
            Card(
                "failures",
                "Failed monthly payments",
                _count(payment_failures_at_risk()),
                reverse("admin:donors_paymentfailure_changelist") + "?state__exact=at_risk",
                "No monthly payment is at risk.",
            )
        )
    if user.has_perm("donors.view_stripeevent"):
        cards.append(
            Card(
                "attention",
                "Payments that need attention",
                _count(stripe_events_needing_attention()),
                reverse("admin:donors_stripeevent_changelist") + "?state=attention",
                "Stripe's events are all recorded.",
            )
        )
    if user.has_perm("donors.view_importrun"):
        cards.append(
            Card(
                "imports",
                "Imports with rejected rows",
                _count(imports_with_rejected_rows(now=now)),
                reverse("admin:donors_importrun_changelist") + "?rejected=recent",
                f"No import skipped rows in the last {IMPORT_REJECTS_DAYS} days.",
            )
        )
    if user.has_perm("compliance.view_compliancedeadline"):
        deadlines = calendar.deadlines_to_file()
        cards.append(
            Card(
                "deadlines",
                "Filings to make",
                _count(deadlines),
                reverse("admin:compliance_compliancedeadline_changelist") + "?filed=no",
                "Every filing is made.",
                [
                    (f"{d.get_kind_display()} ({d.fiscal_year})", f"due {d.due_date:%b %-d, %Y}")
                    for d in deadlines[:NEXT_SHOWN]
                ],
            )
        )
    if user.has_perm("events.view_event"):
        events = upcoming_events(user, now=now)
        cards.append(
            Card(
                "events",
                "Coming events",
                _count(events),
                reverse("my_events"),
                "No event is coming up.",
                [(e.name, f"{e.local_start:%b %-d, %-I:%M %p}") for e in events[:NEXT_SHOWN]],
            )
        )
    return cards
