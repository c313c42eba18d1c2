"""Buying tickets on the public event page: the buy form holds the tickets and hands the buyer
to Stripe Checkout (the local Stripe peer); the signed webhook then records one gift with the
seats' value as its benefit, whatever the order or number of deliveries."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from donors.deductible import gift_figures
from donors.models import Donor, Gift
from events.models import RSVP, TicketHold, TicketPurchase
from tests import factories
from tests.stripe_peer import event as stripe_event
from tests.stripe_peer import post_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(stripe_on):
    stripe_on.sessions.clear()  # the peer serves the whole test run
    campaign = factories.make_campaign(name="Bay Area Dinner 2026", slug="bay-dinner-2026")
    event = factories.make_event(
        name="Bay Area Dinner", slug="bay-dinner", campaign=campaign, capacity=40,
        city="Santa Clara", state="CA", time_zone="America/Los_Angeles",
    )  # fmt: skip
    seat = factories.make_ticket_type(
        event, name="Dinner seat", price=Decimal("150.00"), fair_market_value=Decimal("60.00"),
        quantity=10,
    )  # fmt: skip
    return event, seat


def buy(client, event, ticket, **fields):
    data = {
        "ticket_type": ticket.pk, "quantity": "2", "first_name": "Farah", "last_name": "Iqbal",
        "email": "Farah@Example.org",
    }  # fmt: skip
    data.update(fields)
    return client.post(f"/events/{event.slug}/tickets/", data)


def session_id_of(response, peer) -> str:
    assert response.status_code == 303, response.content.decode()[:3000]
    session_id = response["Location"].rsplit("/", 1)[-1]
    assert session_id in peer.sessions
    return session_id


def pay_for(peer, session_id: str, *, fee_cents: int | None = None) -> tuple[dict, dict]:
    """The buyer pays in Checkout: the payment in the peer, and the completed session."""
    created = peer.sessions[session_id]
    line = (
        created["params"]["line_items"]["0"]
        if isinstance(created["params"]["line_items"], dict)
        else created["params"]["line_items"][0]
    )
    cents = int(line["price_data"]["unit_amount"]) * int(line["quantity"])
    payment = peer.pay(
        cents=cents, email=created["params"]["customer_email"], name="Farah Iqbal",
        fee_cents=fee_cents, metadata=created["metadata"],
    )  # fmt: skip
    return payment, peer.checkout_complete(session_id, payment)


def deliver(evt) -> str:
    response = post_event(Client(), evt)
    assert response.status_code == 200, response.content
    return response.json()["outcome"]


def test_the_event_page_offers_tickets_and_says_daf_money_cannot_pay(client, dinner):
    event, _ = dinner

    page = client.get(f"/events/{event.slug}/").content.decode()

    assert 'id="ticket-form"' in page
    # A refused purchase comes back scrolled to the form, where its errors are.
    assert f'action="/events/{event.slug}/tickets/#ticket-form"' in page
    assert "donor-advised fund (DAF) cannot pay for them" in page
    assert "I decline the dinner: the whole payment is a gift" in page
    assert "(10 left)" in page


def test_buying_with_the_benefit_records_a_gift_whose_deductible_part_is_price_minus_value(
    client, dinner, stripe_on
):
    event, seat = dinner
    client_peer = stripe_on

    response = buy(client, event, seat)

    session_id = session_id_of(response, client_peer)
    params = client_peer.sessions[session_id]["params"]
    assert params["mode"] == "payment"
    assert params["customer_email"] == "farah@example.org"
    assert params["success_url"].startswith("http://testserver/events/bay-dinner/tickets/thanks/")
    assert params["cancel_url"] == "http://testserver/events/bay-dinner/#tickets"
    metadata = client_peer.sessions[session_id]["metadata"]
    assert (metadata["kind"], metadata["quantity"], metadata["benefit_declined"]) == (
        "event_tickets",
        "2",
        "false",
    )
    # The two tickets are held while the buyer pays: the page shows 8 left.
    assert TicketHold.objects.get().quantity == 2
    assert "(8 left)" in client.get(f"/events/{event.slug}/").content.decode()

    payment, session = pay_for(client_peer, session_id, fee_cents=900)
    assert deliver(stripe_event("checkout.session.completed", session)) == "received"

    gift = Gift.objects.get()
    assert (gift.amount, gift.benefit_value, gift.benefit_declined) == (
        Decimal("300.00"),
        Decimal("120.00"),
        False,
    )
    assert gift_figures(gift).deductible_amount == Decimal("180.00")
    assert gift.campaign == event.campaign
    assert (gift.method, gift.processor, gift.stripe_payment_id) == (
        "card",
        "stripe",
        payment["payment_intent"],
    )
    assert (gift.fee, gift.stripe_charge_id) == (Decimal("9.00"), payment["charge"])
    assert "Bay Area Dinner: 2 × Dinner seat (2 seats)" in gift.benefit_description
    purchase = TicketPurchase.objects.get()
    assert (purchase.gift, purchase.ticket_type, purchase.quantity) == (gift, seat, 2)
    # The buyer is a donor with the name typed on the page, seated for both tickets.
    buyer = Donor.objects.get(emails__email="farah@example.org")
    assert (buyer.first_name, buyer.last_name) == ("Farah", "Iqbal")
    # Checkout's billing address is where the receipt goes.
    address = buyer.addresses.get()
    assert (address.city, address.region, buyer.time_zone) == (
        "Fresno",
        "CA",
        "America/Los_Angeles",
    )
    rsvp = RSVP.objects.get(event=event, donor=buyer)
    assert (rsvp.answer, rsvp.party_size, rsvp.waitlist_position) == ("yes", 2, None)
    # The purchase took the hold's place: still 8 left, not 6.
    assert not TicketHold.objects.exists()
    assert "(8 left)" in client.get(f"/events/{event.slug}/").content.decode()


def test_declining_the_benefit_makes_the_whole_payment_a_gift_and_keeps_no_seat(
    client, dinner, stripe_on
):
    event, seat = dinner

    session_id = session_id_of(buy(client, event, seat, benefit_declined="on"), stripe_on)
    assert stripe_on.sessions[session_id]["metadata"]["benefit_declined"] == "true"
    _, session = pay_for(stripe_on, session_id)
    deliver(stripe_event("checkout.session.completed", session))

    gift = Gift.objects.get()
    assert (gift.amount, gift.benefit_value, gift.benefit_declined) == (
        Decimal("300.00"),
        Decimal("0.00"),
        True,
    )
    assert gift_figures(gift).deductible_amount == Decimal("300.00")
    assert "declined by the buyer" in gift.benefit_description
    assert not RSVP.objects.filter(event=event).exists()


def test_a_buyer_paying_from_a_daf_is_refused_and_nothing_is_held(client, dinner, stripe_on):
    event, seat = dinner

    response = buy(client, event, seat, daf="on")

    assert response.status_code == 400
    assert "DAF money cannot pay for tickets" in response.content.decode()
    assert not stripe_on.sessions
    assert not TicketHold.objects.exists()


def test_the_last_tickets_go_to_one_buyer_and_come_back_when_their_checkout_expires(
    client, dinner, stripe_on
):
    event, seat = dinner
    seat.quantity = 3
    seat.save()

    first = session_id_of(buy(client, event, seat, quantity="3"), stripe_on)
    response = buy(Client(), event, seat, quantity="1", email="bilal@example.org")

    assert response.status_code == 409
    assert "Dinner seat tickets are sold out." in response.content.decode()
    assert len(stripe_on.sessions) == 1
    assert "Sold out" in client.get(f"/events/{event.slug}/").content.decode()

    # The first buyer never pays: Stripe expires the session and the tickets are on sale again.
    expired = {**stripe_on.sessions[first], "status": "expired"}
    assert deliver(stripe_event("checkout.session.expired", expired)) == "received"
    assert session_id_of(buy(Client(), event, seat, quantity="1"), stripe_on)


def test_more_tickets_than_are_left_are_refused_in_words(client, dinner, stripe_on):
    event, seat = dinner
    seat.quantity = 3
    seat.save()

    response = buy(client, event, seat, quantity="4")

    assert response.status_code == 409
    assert "Only 3 Dinner seat tickets left." in response.content.decode()


def test_no_more_seats_than_the_event_holds(client, dinner, stripe_on):
    event, seat = dinner
    event.capacity = 3
    event.save()
    guest = factories.make_donor()
    from events.services import rsvp_submit

    rsvp_submit(event=event, donor=guest, answer="yes", party_size=2)

    response = buy(client, event, seat, quantity="2")

    assert response.status_code == 409
    assert "Only 1 seat left at this event." in response.content.decode()


def test_tickets_outside_their_sales_window_are_not_sold(client, dinner, stripe_on):
    event, seat = dinner
    now = timezone.now()
    seat.sales_end = now - datetime.timedelta(hours=1)
    seat.sales_start = now - datetime.timedelta(days=10)
    seat.save()

    page = client.get(f"/events/{event.slug}/").content.decode()
    response = buy(client, event, seat)

    assert "(not on sale now)" in page
    assert 'id="ticket-form"' not in page
    assert response.status_code == 409
    assert "Dinner seat tickets are no longer on sale." in response.content.decode()

    seat.sales_start, seat.sales_end = now + datetime.timedelta(days=2), None
    seat.save()
    response = buy(client, event, seat)
    assert response.status_code == 409
    assert "Dinner seat tickets go on sale on" in response.content.decode()
    assert not stripe_on.sessions


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        ("closed", 409, "Tickets for this event are not on sale."),
        ("cancelled", 409, "This event was cancelled: tickets are not on sale."),
        ("draft", 404, None),
    ],
)
def test_only_open_events_sell_tickets(client, dinner, stripe_on, status, code, message):
    event, seat = dinner
    event.status = status
    event.save()

    response = buy(client, event, seat)

    assert response.status_code == code
    if message:
        assert message in response.content.decode()
        assert 'id="ticket-form"' in response.content.decode()  # the refusal shows by the form
        assert 'id="ticket-form"' not in client.get(f"/events/{event.slug}/").content.decode()
    assert not stripe_on.sessions


def test_the_buy_form_needs_the_csrf_token(dinner, stripe_on):
    event, seat = dinner
    browser = Client(enforce_csrf_checks=True)

    response = buy(browser, event, seat)

    assert response.status_code == 403
    assert not stripe_on.sessions


def test_a_script_hammering_the_buy_form_is_slowed_down(client, dinner, stripe_on):
    event, seat = dinner
    answers = [buy(client, event, seat, quantity="1").status_code for _ in range(11)]

    assert answers[:10] == [303] * 10
    assert answers[10] == 429
    assert TicketHold.objects.count() == 10


def test_stripe_down_holds_nothing_and_says_so(client, dinner, settings):
    event, seat = dinner
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = buy(client, event, seat)

    assert response.status_code == 503
    assert "unavailable right now" in response.content.decode()
    assert not TicketHold.objects.exists()


def test_every_delivery_order_and_retry_records_one_ticket_gift(client, dinner, stripe_on):
    """The charge's events do not say the payment was for tickets: whichever comes first, the
    session's event makes the one gift a ticket purchase, and each retry changes nothing."""
    event, seat = dinner
    session_id = session_id_of(buy(client, event, seat), stripe_on)
    payment, session = pay_for(stripe_on, session_id, fee_cents=900)
    events = {
        "checkout": stripe_event("checkout.session.completed", session),
        "payment_intent": stripe_event(
            "payment_intent.succeeded", stripe_on.payment_intent_object(payment["payment_intent"])
        ),
        "charge": stripe_event("charge.succeeded", stripe_on.charge_object(payment["charge"])),
    }
    for order in itertools.permutations(events):
        with transaction.atomic():
            for name in order:
                assert deliver(events[name]) == "received", order
            for name in order:
                assert deliver(events[name]) == "duplicate", order
            gift = Gift.objects.get()
            assert (gift.amount, gift.benefit_value, gift.fee) == (
                Decimal("300.00"),
                Decimal("120.00"),
                Decimal("9.00"),
            ), order
            assert gift_figures(gift).deductible_amount == Decimal("180.00"), order
            assert TicketPurchase.objects.get().gift == gift, order
            assert Donor.objects.count() == 1, order
            assert RSVP.objects.get(event=event).party_size == 2, order
            transaction.set_rollback(True)


def test_reconciliation_records_a_missed_ticket_payment_as_tickets_not_a_donation(
    client, dinner, stripe_on
):
    from donors.stripe.reconcile import reconcile

    stripe_on.flush()
    event, seat = dinner
    session_id = session_id_of(buy(client, event, seat), stripe_on)
    payment, _ = pay_for(stripe_on, session_id)  # paid, but no webhook ever arrived

    report = reconcile(since=timezone.localdate() - datetime.timedelta(days=1))

    gift = Gift.objects.get()
    assert report["recorded"] == 1
    assert [d["kind"] for d in report["differences"]] == ["missing_gift"]
    assert TicketPurchase.objects.get().gift == gift
    assert (gift.amount, gift.benefit_value) == (Decimal("300.00"), Decimal("120.00"))
    # Run again: nothing new, nothing doubled.
    assert reconcile(since=timezone.localdate() - datetime.timedelta(days=1))["recorded"] == 0
    assert Gift.objects.count() == 1


def test_an_invitation_page_links_to_the_tickets(client, dinner):
    event, _ = dinner
    guest = factories.make_donor()
    from events.services import invitations_create

    (invitation,) = invitations_create(event=event, donors=[guest])

    page = client.get(f"/rsvp/{invitation.token}/").content.decode()

    assert f'href="/events/{event.slug}/#tickets" id="buy-link"' in page


def test_the_thank_you_page_answers_anyone(client, dinner):
    event, _ = dinner

    response = client.get(f"/events/{event.slug}/tickets/thanks/?session_id=cs_test_x")

    assert response.status_code == 200
    assert "Bay Area Dinner" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_ticket_payment_leave_one_purchase_on_postgresql(
    stripe_on, postgres_only
):
    """The session's event (twice, as ``completed`` and ``async_payment_succeeded``), the
    payment intent's and the charge's, each also duplicated, all at the same moment from
    separate connections: one gift, one purchase, one donor, one RSVP."""
    from donors.stripe.events import event_apply
    from tests.concurrency import run_at_once

    stripe_on.sessions.clear()
    event = factories.make_event(slug="race-dinner", capacity=40)
    seat = factories.make_ticket_type(event, quantity=10)
    session_id = session_id_of(buy(Client(), event, seat), stripe_on)
    payment, session = pay_for(stripe_on, session_id, fee_cents=900)
    events = [
        stripe_event("checkout.session.completed", session),
        stripe_event("checkout.session.async_payment_succeeded", session),
        stripe_event(
            "payment_intent.succeeded", stripe_on.payment_intent_object(payment["payment_intent"])
        ),
        stripe_event("charge.succeeded", stripe_on.charge_object(payment["charge"])),
    ]
    outcomes, errors = run_at_once(event_apply, events * 2)
    assert not errors, errors
    assert sorted(outcomes) == ["applied"] * 4 + ["duplicate"] * 4
    gift = Gift.objects.get()
    assert (gift.amount, gift.benefit_value, gift.fee) == (
        Decimal("300.00"),
        Decimal("120.00"),
        Decimal("9.00"),
    )
    assert TicketPurchase.objects.get().gift == gift
    assert Donor.objects.count() == 1
    assert RSVP.objects.get(event=event).party_size == 2
    assert not TicketHold.objects.exists()


def test_a_price_changed_while_the_buyer_pays_records_what_they_paid(client, dinner, stripe_on):
    event, seat = dinner
    session_id = session_id_of(buy(client, event, seat), stripe_on)
    seat.price = Decimal("175.00")  # the organizer raises the price meanwhile
    seat.save()
    _, session = pay_for(stripe_on, session_id)

    assert deliver(stripe_event("checkout.session.completed", session)) == "received"

    gift = Gift.objects.get()
    assert (gift.amount, gift.benefit_value) == (Decimal("300.00"), Decimal("120.00"))


def test_the_ticket_gift_is_dated_by_the_charge_not_by_the_start_of_checkout(
    client, dinner, stripe_on
):
    """Checkout started on December 30, paid at 3am UTC on January 1 (still December 31 in
    New York, the organization's time zone): the gift is dated December 31."""
    event, seat = dinner
    session_id = session_id_of(buy(client, event, seat), stripe_on)
    created = stripe_on.sessions[session_id]
    moment = int(datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC).timestamp())
    payment = stripe_on.pay(
        cents=30000, email="farah@example.org", name="Farah Iqbal", charged_at=moment,
        metadata=created["metadata"],
    )  # fmt: skip
    session = stripe_on.checkout_complete(session_id, payment)
    session["created"] = moment - 24 * 3600  # started on December 30 in New York

    deliver(stripe_event("checkout.session.completed", session))

    gift = Gift.objects.get()
    assert gift.charged_at == datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC)
    assert gift.gift_date == datetime.date(2025, 12, 31)
    assert gift.tax_date == datetime.date(2025, 12, 31)


def test_a_free_ticket_is_not_sent_to_stripe(client, dinner, stripe_on):
    event, _ = dinner
    free = factories.make_ticket_type(
        event, name="Student seat", price=Decimal("0.00"), fair_market_value=Decimal("0.00")
    )

    response = buy(client, event, free, quantity="1")

    assert response.status_code == 409
    assert "Student seat is free: answer the RSVP form instead." in response.content.decode()
    assert not stripe_on.sessions
