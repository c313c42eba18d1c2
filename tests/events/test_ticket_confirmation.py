"""A ticket buyer's RSVP confirmation says what they bought and what part is deductible."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from donors.models import GiftMethod
from events.services import rsvp_submit, ticket_purchase_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat(organization):
    event = factories.make_event(name="Carmel Dinner", slug="carmel")
    return factories.make_ticket_type(
        event, name="Dinner seat", price=Decimal("150.00"), fair_market_value=Decimal("60.00")
    )


def _buy(seat, *, declined: bool, quantity: int = 2):
    buyer = factories.make_donor(email="buyer@example.org")
    mail.outbox.clear()
    ticket_purchase_record(
        ticket_type=seat,
        donor=buyer,
        quantity=quantity,
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2025, 3, 1),
        benefit_declined=declined,
    )
    (message,) = [m for m in mail.outbox if m.to == ["buyer@example.org"]]
    return message.body


def test_the_confirmation_lists_the_tickets_and_the_deductible_part(seat):
    body = _buy(seat, declined=False)

    assert "2 × Dinner seat: paid $300.00" in body
    assert "the value of what you receive is $120.00, so $180.00 is your deductible" in body


def test_a_buyer_who_declined_the_benefit_and_answers_hears_the_whole_price_is_deductible(
    seat,
):
    buyer = factories.make_donor(email="buyer@example.org")
    ticket_purchase_record(
        ticket_type=seat,
        donor=buyer,
        quantity=1,
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2025, 3, 1),
        benefit_declined=True,
    )  # a declined ticket holds no seat, so no confirmation yet
    mail.outbox.clear()

    rsvp_submit(event=seat.event, donor=buyer, answer="yes")

    (message,) = [m for m in mail.outbox if m.to == ["buyer@example.org"]]
    assert "1 × Dinner seat: paid $150.00" in message.body
    assert "the whole $150.00 is your deductible contribution" in message.body


def test_a_guest_without_tickets_hears_nothing_of_tickets(seat):
    guest = factories.make_donor(email="guest@example.org")
    mail.outbox.clear()

    rsvp_submit(event=seat.event, donor=guest, answer="yes")

    (message,) = [m for m in mail.outbox if m.to == ["guest@example.org"]]
    assert "Your tickets" not in message.body and "deductible" not in message.body


def test_a_benefit_too_small_to_count_leaves_the_whole_price_deductible_as_on_the_receipt(
    organization,
):
    # IRS: a benefit of at most 2% of the payment (and under that year's cap) is disregarded.
    pin = factories.make_ticket_type(
        factories.make_event(name="Gala", slug="gala"),
        name="Supporter",
        price=Decimal("250.00"),
        fair_market_value=Decimal("4.00"),
    )
    body = _buy(pin, declined=False, quantity=1)

    assert "1 × Supporter: paid $250.00" in body
    assert "$250.00 is your deductible" in body
    assert "$246.00" not in body


def test_the_event_page_states_the_deductible_part_the_receipt_and_email_state(
    organization, client
):
    # One rule (donors.deductible): a benefit too small to count that year leaves the whole
    # price deductible on the event page as in the confirmation and on the receipt.
    import zoneinfo

    start = datetime.datetime(2025, 3, 20, 19, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    event = factories.make_event(name="Gala", slug="gala", starts_at=start)
    factories.make_ticket_type(
        event, name="Supporter", price=Decimal("250.00"), fair_market_value=Decimal("4.00")
    )
    factories.make_ticket_type(
        event, name="Dinner", price=Decimal("150.00"), fair_market_value=Decimal("60.00")
    )

    page = client.get("/events/gala/").content.decode()

    assert "No goods or services are provided in exchange: the whole $250.00 is deductible." in page
    assert "$246.00" not in page
    assert "limited to the payment minus that value: $90.00" in page
