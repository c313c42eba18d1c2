"""The staff home: the back office's first page says what needs doing today.

Each card is a figure and a link to the list it counts. The figure is computed by the same
selector the list filters with (donors.selectors, compliance.services.calendar,
events.selectors), so the two cannot disagree; a card is shown only to a user allowed to open
its list. One query per card, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from compliance.services import calendar
from compliance.services.receipts import gifts_due_for_receipt
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


@dataclass
class Card:
    key: str
    title: str
    count: int
    url: str
    empty: str
    # The first few rows by name, for the deadlines and events cards.
    items: list[tuple[str, str]] = field(default_factory=list)


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
                gifts_to_thank(now=now).count(),
                reverse("thanks_queue"),
                "Every donor has been thanked.",
            )
        )
    if _may_issue_receipts(user):
        cards.append(
            Card(
                "receipts",
                "Receipts due",
                gifts_due_for_receipt().count(),
                reverse("admin:donors_gift_changelist") + "?receipt=due",
                "Every kept gift has its receipt.",
            )
        )
    if user.has_perm("donors.view_paymentfailure"):
        cards.append(
            Card(
                "failures",
                "Failed monthly payments",
                payment_failures_at_risk().count(),
                reverse("admin:donors_paymentfailure_changelist") + "?state__exact=at_risk",
                "No monthly payment is at risk.",
            )
        )
    if user.has_perm("donors.view_stripeevent"):
        cards.append(
            Card(
                "attention",
                "Payments that need attention",
                stripe_events_needing_attention().count(),
                reverse("admin:donors_stripeevent_changelist") + "?state=attention",
                "Stripe's events are all recorded.",
            )
        )
    if user.has_perm("donors.view_importrun"):
        cards.append(
            Card(
                "imports",
                "Imports with rejected rows",
                imports_with_rejected_rows(now=now).count(),
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
                deadlines.count(),
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
                events.count(),
                reverse("my_events"),
                "No event is coming up.",
                [(e.name, f"{e.local_start:%b %-d, %-I:%M %p}") for e in events[:NEXT_SHOWN]],
            )
        )
    return cards
