"""Ticket purchases: a gift with the seats' value as its benefit, recorded at the door through
the admin (checks) and, for the Stripe webhook, idempotently by payment id."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from donors.models import DonorKind, Gift
from events.models import RSVP, TicketPurchase
from events.services import ticket_purchase_record
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 15)


@pytest.fixture
def event(organization, organizer):
    campaign = factories.make_campaign(name="Dinners 2025")
    return factories.make_event(
        slug="la-dinner", campaign=campaign, capacity=50, organizers=[organizer]
    )


@pytest.fixture
def table_of_ten(event):
    return factories.make_ticket_type(
        event,
        name="Table of 10",
        price=Decimal("2500.00"),
        fair_market_value=Decimal("85.00"),
        seats=10,
        quantity=3,
    )


def test_a_ticket_is_a_gift_whose_benefit_is_the_seats_value(event, table_of_ten):
    buyer = factories.make_donor()

    purchase = ticket_purchase_record(
        ticket_type=table_of_ten,
        donor=buyer,
        quantity=2,
        method="check",
        gift_date=TODAY,
        check_number="1042",
    )

    gift = Gift.objects.get(pk=purchase.gift_id)
    assert gift.amount == Decimal("5000.00")
    assert gift.benefit_value == Decimal("1700.00")  # 2 tables × 10 seats × $85
    assert gift.amount - gift.benefit_value == Decimal("3300.00")
    assert gift.campaign == event.campaign
    assert gift.check_number == "1042"
    assert "2 × Table of 10 (20 seats)" in gift.benefit_description
    # A paid seat is a confirmed seat.
    rsvp = RSVP.objects.get(event=event, donor=buyer)
    assert (rsvp.answer, rsvp.party_size, rsvp.waitlist_position) == ("yes", 20, None)


def test_declining_the_benefit_makes_the_whole_payment_a_gift(table_of_ten):
    purchase = ticket_purchase_record(
        ticket_type=table_of_ten,
        donor=factories.make_donor(),
        method="cash",
        gift_date=TODAY,
        benefit_declined=True,
    )

    gift = purchase.gift
    assert (gift.amount, gift.benefit_value, gift.benefit_declined) == (
        Decimal("2500.00"),
        Decimal("0.00"),
        True,
    )


def test_daf_money_cannot_pay_for_tickets(table_of_ten):
    sponsor = factories.make_donor(
        kind=DonorKind.DAF_SPONSOR, organization_name="Fidelity Charitable"
    )

    with pytest.raises(ValidationError) as error:
        ticket_purchase_record(
            ticket_type=table_of_ten, donor=sponsor, method="daf_grant", gift_date=TODAY
        )

    assert error.value.message_dict["method"] == [
        "DAF money cannot pay for tickets: the donor must pay personally."
    ]
    assert not Gift.objects.exists()


def test_no_more_tickets_than_are_available(table_of_ten):
    ticket_purchase_record(
        ticket_type=table_of_ten,
        donor=factories.make_donor(),
        quantity=2,
        method="check",
        gift_date=TODAY,
    )

    with pytest.raises(ValidationError) as error:
        ticket_purchase_record(
            ticket_type=table_of_ten,
            donor=factories.make_donor(),
            quantity=2,
            method="check",
            gift_date=TODAY,
        )

    assert error.value.message_dict["quantity"] == ["Only 1 Table of 10 ticket(s) are left."]
    assert TicketPurchase.objects.count() == 1


def test_the_same_stripe_payment_is_recorded_once(event):
    seat = factories.make_ticket_type(event, price=Decimal("150"), fair_market_value=Decimal("60"))
    buyer = factories.make_donor()
    paid = dict(
        ticket_type=seat,
        donor=buyer,
        quantity=2,
        method="card",
        gift_date=TODAY,
        stripe_payment_id="pi_123",
        charged_at=datetime.datetime(2025, 3, 15, 3, 0, tzinfo=datetime.UTC),
    )

    first = ticket_purchase_record(**paid)
    again = ticket_purchase_record(**paid)

    assert again.pk == first.pk
    assert Gift.objects.count() == 1
    gift = Gift.objects.get()
    assert (gift.amount, gift.benefit_value) == (Decimal("300.00"), Decimal("120.00"))
    # Charged at 3am UTC: still March 14 in New York, the organization's time zone.
    assert gift.tax_date == datetime.date(2025, 3, 14)


def test_organizer_records_a_check_at_the_door_in_the_admin(client, organizer, table_of_ten):
    buyer = factories.make_donor(first_name="Omar", last_name="Siddiqui")
    client.force_login(organizer)

    response = client.post(
        "/admin/events/ticketpurchase/add/",
        {
            "ticket_type": table_of_ten.pk,
            "quantity": "1",
            "donor": buyer.pk,
            "method": "check",
            "check_number": "311",
            "gift_date": "2025-03-15",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    gift = TicketPurchase.objects.get().gift
    assert (gift.donor, gift.amount, gift.benefit_value, gift.method, gift.check_number) == (
        buyer,
        Decimal("2500.00"),
        Decimal("850.00"),
        "check",
        "311",
    )


def test_the_admin_refuses_daf_money_for_tickets_with_a_message(client, staff, table_of_ten):
    sponsor = factories.make_donor(kind=DonorKind.DAF_SPONSOR, organization_name="A DAF")
    client.force_login(staff)

    response = client.post(
        "/admin/events/ticketpurchase/add/",
        {
            "ticket_type": table_of_ten.pk,
            "quantity": "1",
            "donor": sponsor.pk,
            "method": "daf_grant",
            "gift_date": "2025-03-15",
        },
    )

    assert response.status_code == 200
    assert "DAF money cannot pay for tickets" in response.content.decode()
    assert not Gift.objects.exists()


def test_organizers_cannot_record_gifts_at_the_event_but_staff_can(client, organizer, staff, event):
    donor = factories.make_donor()
    data = {
        "event": event.pk,
        "donor": donor.pk,
        "amount": "1000.00",
        "method": "check",
        "gift_date": "2025-03-15",
    }
    client.force_login(organizer)
    assert client.post("/admin/events/eventgift/add/", data).status_code == 403

    client.force_login(staff)
    response = client.post("/admin/events/eventgift/add/", data)

    assert response.status_code == 302
    gift = event.event_gifts.get().gift
    assert (gift.amount, gift.benefit_value, gift.campaign) == (
        Decimal("1000.00"),
        Decimal("0.00"),
        event.campaign,
    )


def _session(ticket_type, **overrides):
    from events.services import ticket_checkout_metadata

    session = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "amount_total": 30000,
        "created": 1742007600,  # 2025-03-15 03:00 UTC: March 14 in New York
        "payment_intent": "pi_tickets_1",
        "customer_details": {"email": "Farah@Example.org", "name": "Farah Iqbal"},
        "metadata": ticket_checkout_metadata(
            ticket_type=ticket_type, quantity=2, benefit_declined=False
        ),
    }
    session.update(overrides)
    return session


def test_a_completed_checkout_session_records_the_tickets_once(event):
    from events.services import ticket_purchase_from_checkout

    seat = factories.make_ticket_type(event, price=Decimal("150"), fair_market_value=Decimal("60"))

    first = ticket_purchase_from_checkout(session=_session(seat))
    retried = ticket_purchase_from_checkout(session=_session(seat))

    assert retried.pk == first.pk
    gift = Gift.objects.get()
    assert gift.donor.display_name == "Farah Iqbal"
    assert gift.donor.emails.get().email == "farah@example.org"
    assert (gift.amount, gift.benefit_value, gift.method, gift.processor) == (
        Decimal("300.00"),
        Decimal("120.00"),
        "card",
        "stripe",
    )
    assert gift.tax_date == datetime.date(2025, 3, 14)
    assert RSVP.objects.get(event=event, donor=gift.donor).party_size == 2


def test_a_checkout_session_for_the_wrong_amount_is_refused(event):
    from events.services import ticket_purchase_from_checkout

    seat = factories.make_ticket_type(event, price=Decimal("150"), fair_market_value=Decimal("60"))

    with pytest.raises(ValidationError) as error:
        ticket_purchase_from_checkout(session=_session(seat, amount_total=100))

    assert error.value.messages == ["Stripe took $1.00 but 2 × Dinner seat costs $300.00."]
    assert not Gift.objects.exists()
