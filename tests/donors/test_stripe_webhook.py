"""The Stripe webhook against a real local Stripe peer (localstripe): each payment one gift,
whatever the delivery order or number of retries; dates, fees, donors, refunds, disputes."""

from __future__ import annotations

import datetime
import itertools
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from donors.models import Donor, Gift, GiftAdjustment, StripeEvent
from donors.stripe.events import event_process, events_retry
from tests import factories
from tests.stripe_peer import event, post_event, sign

pytestmark = pytest.mark.django_db


def deliver(evt, client=None):
    response = post_event(client or Client(), evt)
    assert response.status_code == 200, response.content
    return response.json()["outcome"]


def one_time_events(peer, payment, metadata=None):
    return {
        "checkout": event(
            "checkout.session.completed",
            peer.checkout_session_object(payment, metadata=metadata),
        ),
        "payment_intent": event(
            "payment_intent.succeeded", peer.payment_intent_object(payment["payment_intent"])
        ),
        "charge": event("charge.succeeded", peer.charge_object(payment["charge"])),
    }


def test_same_event_delivered_five_times_leaves_one_gift(stripe_on):
    payment = stripe_on.pay(cents=5000, fee_cents=175)
    evt = event("charge.succeeded", stripe_on.charge_object(payment["charge"]))
    outcomes = [deliver(evt) for _ in range(5)]
    assert outcomes == ["received"] + ["duplicate"] * 4
    gift = Gift.objects.get()
    assert gift.amount == Decimal("50.00")
    assert (gift.fee, gift.net) == (Decimal("1.75"), Decimal("48.25"))
    assert gift.stripe_payment_id == payment["payment_intent"]
    assert gift.stripe_charge_id == payment["charge"]
    assert gift.card_last4 == "4242"
    assert StripeEvent.objects.filter(event_id=evt["id"]).count() == 1


def test_checkout_payment_intent_and_charge_events_in_every_order_leave_one_gift(stripe_on):
    campaign = factories.make_campaign(slug="gala-2026")
    payment = stripe_on.pay(cents=10000, fee_cents=320, email="omar@example.org", name="Omar Malik")
    events = one_time_events(
        stripe_on,
        payment,
        metadata={"campaign": "gala-2026", "tribute_kind": "memory", "tribute_name": "Nana Jan"},
    )
    for order in itertools.permutations(events):
        with transaction.atomic():
            for name in order:
                assert deliver(events[name]) == "received"
            for name in order:  # and each again, as Stripe's retries would
                assert deliver(events[name]) == "duplicate"
            gift = Gift.objects.get()
            assert gift.amount == Decimal("100.00"), order
            assert (gift.fee, gift.net) == (Decimal("3.20"), Decimal("96.80")), order
            assert gift.campaign == campaign, order
            assert (gift.tribute_kind, gift.tribute_name) == ("memory", "Nana Jan"), order
            assert gift.donor.display_name == "Omar Malik", order
            assert Donor.objects.count() == 1, order
            transaction.set_rollback(True)


def test_gift_at_3am_utc_on_new_year_by_a_californian_is_dated_new_years_eve(stripe_on):
    moment = int(datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC).timestamp())
    payment = stripe_on.pay(cents=2500, charged_at=moment, name="Zara Hussain")
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    gift = Gift.objects.get()
    assert gift.gift_date == datetime.date(2025, 12, 31)
    assert gift.tax_date == datetime.date(2025, 12, 31)
    assert gift.donor.time_zone == "America/Los_Angeles"
    address = gift.donor.addresses.get()
    assert (address.city, address.region, address.postal_code) == ("Fresno", "CA", "93701")


def test_donor_without_known_time_zone_gets_the_organizations_date(stripe_on):
    moment = int(datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC).timestamp())
    payment = stripe_on.pay(
        cents=2500, charged_at=moment, address={"line1": "1 Rue", "city": "Lyon", "country": "FR",
                                                "postal_code": "69001", "state": None},
    )  # fmt: skip
    deliver(
        event(
            "payment_intent.succeeded", stripe_on.payment_intent_object(payment["payment_intent"])
        )
    )
    # France is known (Europe/Paris: already 04:00 on 1 January).
    assert Gift.objects.get().gift_date == datetime.date(2026, 1, 1)
    payment = stripe_on.pay(
        cents=2500, charged_at=moment, email="x@example.org", name="X Y",
        address={"line1": "1 Road", "city": "Perth", "country": "AU", "postal_code": "6000"},
    )  # fmt: skip
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    gift = Gift.objects.get(stripe_charge_id=payment["charge"])
    # Unknown zone: the organization's (New York, still 31 December), never the UTC date.
    assert gift.gift_date == datetime.date(2025, 12, 31)


def test_donor_matched_by_customer_id_then_email(stripe_on):
    known = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    payment = stripe_on.pay(cents=1000, email="AYESHA@example.org", name="A. Khan")
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    known.refresh_from_db()
    assert Gift.objects.get().donor == known
    assert known.stripe_customer_id == payment["customer"]
    # The same customer under another email is still the same donor.
    second = stripe_on.pay(
        cents=2000, email="new@example.org", name="Ayesha Khan", customer_id=payment["customer"]
    )
    deliver(event("charge.succeeded", stripe_on.charge_object(second["charge"])))
    assert set(Gift.objects.values_list("donor", flat=True)) == {known.pk}
    assert Donor.objects.count() == 1


def test_partial_then_full_refund(stripe_on):
    payment = stripe_on.pay(cents=10000, fee_cents=320)
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    first = stripe_on.refund(payment, 3000)
    deliver(event("refund.created", first))
    deliver(event("charge.refunded", stripe_on.charge_object(payment["charge"])))
    gift = Gift.objects.get()
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("30.00"))
    assert gift.donor.lifetime_total == Decimal("70.00")
    second = stripe_on.refund(payment, 7000)
    # charge.refunded first this time: the refunds are read from the peer.
    deliver(event("charge.refunded", stripe_on.charge_object(payment["charge"])))
    deliver(event("refund.created", second))
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("refunded", Decimal("100.00"))
    assert list(gift.adjustments.values_list("stripe_id", "amount", "status")) == [
        (first["id"], Decimal("30.00"), "succeeded"),
        (second["id"], Decimal("70.00"), "succeeded"),
    ]
    gift.donor.refresh_from_db()
    assert gift.donor.lifetime_total == Decimal("0.00")
    # A late charge.succeeded never moves the status back.
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    gift.refresh_from_db()
    assert gift.status == "refunded"


def test_refund_arriving_before_its_payment_records_both(stripe_on):
    payment = stripe_on.pay(cents=4000, fee_cents=146)
    refund = stripe_on.refund(payment, 1000)
    deliver(event("refund.created", refund))
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    gift = Gift.objects.get()
    assert (gift.amount, gift.status, gift.amount_refunded) == (
        Decimal("40.00"), "partially_refunded", Decimal("10.00"),
    )  # fmt: skip
    assert gift.fee == Decimal("1.46")


def test_dispute_won_restores_the_gift_and_late_open_event_changes_nothing(stripe_on):
    payment = stripe_on.pay(cents=5000)
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    opened = stripe_on.dispute_object(payment, status="needs_response")
    deliver(event("charge.dispute.created", opened))
    gift = Gift.objects.get()
    assert gift.status == "disputed"
    won = dict(opened, status="won")
    deliver(event("charge.dispute.closed", won))
    # Out of order: an older "under review" update arrives after the close.
    deliver(event("charge.dispute.updated", dict(opened, status="under_review")))
    gift.refresh_from_db()
    assert (gift.status, gift.amount_refunded) == ("succeeded", Decimal("0.00"))
    assert GiftAdjustment.objects.get().status == "won"


def test_dispute_lost_is_a_refund_whatever_the_order(stripe_on):
    payment = stripe_on.pay(cents=5000)
    opened = stripe_on.dispute_object(payment, status="needs_response")
    lost = dict(opened, status="lost")
    # The close arrives first, before even the payment's own event.
    deliver(event("charge.dispute.closed", lost))
    deliver(event("charge.dispute.created", opened))
    deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    gift = Gift.objects.get()
    assert (gift.status, gift.amount_refunded) == ("refunded", Decimal("50.00"))
    assert gift.donor.lifetime_total == Decimal("0.00")


def test_bad_or_stale_signature_is_refused_and_records_nothing(stripe_on):
    payment = stripe_on.pay(cents=5000)
    evt = event("charge.succeeded", stripe_on.charge_object(payment["charge"]))
    client = Client()
    assert post_event(client, evt, secret="whsec_wrong").status_code == 400
    stale = int(datetime.datetime.now().timestamp()) - 3600
    assert post_event(client, evt, timestamp=stale).status_code == 400
    payload = json.dumps(evt).encode()
    tampered = payload.replace(b"5000", b"9000")
    response = client.post(
        "/stripe/webhook/", data=tampered, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )  # fmt: skip
    assert response.status_code == 400
    assert (
        client.post("/stripe/webhook/", data=payload, content_type="application/json").status_code
        == 400
    )
    assert not Gift.objects.exists() and not StripeEvent.objects.exists()
    assert client.get("/stripe/webhook/").status_code == 405


def test_events_not_needed_are_answered_200(stripe_on):
    evt = event("customer.created", {"id": "cus_x", "object": "customer"})
    assert deliver(evt) == "ignored"
    assert not StripeEvent.objects.exists()


def test_webhook_answers_200_while_stripe_is_unreachable_and_the_retry_records_the_payment(
    stripe_on, settings
):
    payment = stripe_on.pay(cents=5000, fee_cents=175)
    evt = event(
        "payment_intent.succeeded", stripe_on.payment_intent_object(payment["payment_intent"])
    )
    # The request asks Stripe nothing: with Stripe unreachable the event is still acknowledged.
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    assert deliver(evt) == "received"
    # Its work (which needs the charge from Stripe) failed, wrote nothing, and waits.
    assert not Gift.objects.exists() and not Donor.objects.exists()
    waiting = StripeEvent.objects.get()
    assert waiting.processed_at is None and waiting.attempts == 1
    assert "StripeUnavailable" in waiting.last_error
    # A redelivery meanwhile is a duplicate, not a second row.
    assert deliver(evt) == "duplicate"
    settings.STRIPE_API_BASE = stripe_on.url
    # Stripe is back; the retry sweep, a few minutes later, hands the event to the queue again.
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert events_retry(now=later) == 1
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee) == (Decimal("50.00"), Decimal("1.75"))
    assert StripeEvent.objects.get().processed_at is not None
    # Nothing is waiting any more: the sweep and a second run of the task change nothing.
    assert events_retry(now=later) == 0
    assert event_process(waiting.pk) == "duplicate"
    assert Gift.objects.count() == 1


def test_refund_before_its_charge_waits_and_is_recorded_after_the_charge(stripe_on, settings):
    payment = stripe_on.pay(cents=8000, fee_cents=262)
    refund = stripe_on.refund(payment, 3000)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the charge cannot be read yet
    assert deliver(event("refund.created", refund)) == "received"
    assert not Gift.objects.exists() and not GiftAdjustment.objects.exists()
    settings.STRIPE_API_BASE = stripe_on.url
    assert (
        deliver(event("charge.succeeded", stripe_on.charge_object(payment["charge"]))) == "received"
    )
    assert events_retry(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    gift = Gift.objects.get()
    assert gift.adjustments.get().amount == Decimal("30.00")
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("30.00"))
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_peers_own_signed_webhook_reaches_the_live_endpoint(stripe_on, live_server):
    """localstripe itself signs and sends payment_intent.succeeded to the running server."""
    import time

    time.sleep(1.5)  # the peer sends each event a second after it: let earlier tests' go by
    stripe_on.webhook_to(f"{live_server.url}/stripe/webhook/", ["payment_intent.succeeded"])
    try:
        payment = stripe_on.pay(
            cents=4200, fee_cents=152, email="live@example.org", name="Live Donor"
        )
        deadline = time.monotonic() + 15
        while not Gift.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        stripe_on.webhooks_off()
    gift = Gift.objects.get()
    assert gift.stripe_payment_id == payment["payment_intent"]
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("42.00"),
        Decimal("1.52"),
        Decimal("40.48"),
    )
    assert gift.donor.display_name == "Live Donor"
    assert StripeEvent.objects.get().type == "payment_intent.succeeded"


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_payment_leave_one_gift_on_postgresql(
    stripe_on, postgres_only
):
    """Every event of one payment, and a duplicate of each, delivered at the same moment from
    separate connections: one gift, one donor, each event recorded once."""
    from donors.stripe.events import event_apply
    from tests.concurrency import run_at_once

    payment = stripe_on.pay(cents=7500, fee_cents=248, email="race@example.org", name="Race Donor")
    events = list(one_time_events(stripe_on, payment).values())
    outcomes, errors = run_at_once(event_apply, events * 2)
    assert not errors, errors
    assert sorted(outcomes) == ["applied"] * 3 + ["duplicate"] * 3
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee) == (Decimal("75.00"), Decimal("2.48"))
    assert Donor.objects.count() == 1
    assert StripeEvent.objects.count() == 3


def test_tribute_notification_is_emailed_once_without_the_amount(
    stripe_on, mailoutbox, django_capture_on_commit_callbacks
):
    metadata = {"tribute_kind": "memory", "tribute_name": "Nana Jan",
                "tribute_notify_name": "Farah", "tribute_notify_email": "farah@example.org"}  # fmt: skip
    payment = stripe_on.pay(cents=15000, name="Omar Malik", metadata=metadata)
    events = one_time_events(stripe_on, payment, metadata=metadata)
    for evt in [*events.values(), *events.values()]:
        with django_capture_on_commit_callbacks(execute=True):
            deliver(evt)
    # The tribute's notice, once; and the donor's own thank-you (compliance), once.
    assert sorted(m.subject.split(" ")[0] for m in mailoutbox) == ["A", "Thank"], [
        m.subject for m in mailoutbox
    ]
    [message] = [m for m in mailoutbox if m.to == ["farah@example.org"]]
    assert (
        "Omar Malik has made a gift to Movement for Solidarity and Peace in Pakistan in memory of Nana Jan"
        in message.body
    )
    assert "Dear Farah" in message.body
    assert "150" not in message.body
    assert Gift.objects.get().tribute_notified_at is not None
