"""The event summary: RSVPs by answer, attendance, and the money for those who see giving."""

import datetime
from decimal import Decimal

import pytest

from donors.money import usd
from events.selectors import event_summary
from events.services import (
    event_gift_record,
    rsvp_check_in,
    rsvp_submit,
    ticket_purchase_record,
    walk_in_add,
)
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 10, 1)


@pytest.fixture
def dinner(organization, organizer):
    event = factories.make_event(
        slug="summary",
        capacity=4,
        revenue_goal=Decimal("10000"),
        costs=Decimal("3000.50"),
        organizers=[organizer],
    )
    seat = factories.make_ticket_type(
        event, price=Decimal("150.10"), fair_market_value=Decimal("60")
    )
    yes = rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=3)
    rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=2)  # waits
    rsvp_submit(event=event, donor=factories.make_donor(), answer="no")
    rsvp_submit(event=event, donor=factories.make_donor(), answer="maybe", party_size=2)
    rsvp_check_in(rsvp=yes, count=2)
    walk_in_add(event=event, first_name="Walk", last_name="In", count=1)
    for _ in range(3):
        ticket_purchase_record(
            ticket_type=seat, donor=factories.make_donor(), method="check", gift_date=DAY
        )
    event_gift_record(
        event=event,
        donor=factories.make_donor(),
        amount=Decimal("5000.20"),
        method="check",
        gift_date=DAY,
    )
    return event


def test_summary_figures_are_exact(dinner):
    summary = event_summary(dinner)

    assert summary["ticket_revenue"] == Decimal("450.30")
    assert summary["paddle_total"] == Decimal("5000.20")
    assert summary["revenue"] == Decimal("5450.50")
    assert summary["net"] == Decimal("2450.00")
    assert summary["to_goal"] == Decimal("7550.00")
    counts = summary["counts"]
    assert (counts.waitlist_parties, counts.waitlist) == (1, 2)
    # Arrived counts the booked parties' people; the walk-in is counted apart.
    assert (counts.arrived, counts.walk_ins, counts.in_room) == (2, 1, 3)
    # The booked party of 3 and three ticket buyers: 4 parties, 6 seats expected.
    assert (counts.parties_expected, counts.expected) == (4, 6)
    assert (counts.maybe_parties, counts.declined_parties) == (1, 1)


def test_staff_see_the_money_organizers_see_only_the_guests(client, staff, organizer, dinner):
    client.force_login(staff)
    as_staff = client.get("/events/summary/summary/").content.decode()
    client.force_login(organizer)
    as_organizer = client.get("/events/summary/summary/").content.decode()

    assert "$2,450.00" in as_staff and "$5,000.20" in as_staff
    assert 'id="money"' not in as_organizer and "$" not in as_organizer
    assert "arrived 2" in as_organizer and "walk-ins 1" in as_organizer


def test_money_going_out_shows_one_way(client, staff, organization):
    """Costs and a negative net both read "−$12,100.00" (the minus sign before the dollar
    sign), never "$-12,100.00"."""
    factories.make_event(slug="loss", costs=Decimal("12100"), revenue_goal=Decimal("5000"))
    client.force_login(staff)

    page = client.get("/events/loss/summary/").content.decode()

    assert page.count("\u2212$12,100.00") == 2  # the costs, and the net
    assert "$-" not in page and "-$" not in page
    assert "$5,000.00" in page and "$17,100.00" in page  # the goal, and still to raise
    assert usd(Decimal("-0.004")) == "$0.00" and usd(Decimal("-3.5")) == "\u2212$3.50"
