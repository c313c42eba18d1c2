"""Monthly gifts through Stripe subscriptions: each paid invoice one gift linked to its plan,
whatever the order of the Checkout, invoice, payment-intent and charge events."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import transaction

from donors.models import Gift, RecurringPlan
from tests import factories
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db


def test_subscription_payment_events_in_every_order_leave_one_gift_on_the_plan(stripe_on):
    campaign = factories.make_campaign(slug="monthly-circle")
    metadata = {"campaign": "monthly-circle", "frequency": "monthly"}
    paid = stripe_on.subscribe(cents=2500, fee_cents=103, metadata=metadata)
    invoice = stripe_on.invoice_object(paid, subscription=paid["subscription"], metadata=metadata)
    events = {
        "checkout": event(
            "checkout.session.completed",
            stripe_on.checkout_session_object(
                paid,
                metadata=metadata,
                mode="subscription",
                subscription=paid["subscription"],
                invoice=invoice["id"],
            ),
        ),  # fmt: skip
        "invoice": event("invoice.paid", invoice),
        "payment_intent": event(
            "payment_intent.succeeded", stripe_on.payment_intent_object(paid["payment_intent"])
        ),
        "charge": event("charge.succeeded", stripe_on.charge_object(paid["charge"])),
    }
    orders = list(itertools.permutations(events))
    assert len(orders) == 24
    for order in orders:
        with transaction.atomic():
            for name in order:
                assert deliver(events[name]) == "received", order
            deliver(event("invoice.payment_succeeded", invoice))  # the older name, same invoice
            gift = Gift.objects.get()
            plan = RecurringPlan.objects.get()
            assert gift.recurring_plan == plan, order
            assert gift.stripe_invoice_id == invoice["id"], order
            assert (gift.amount, gift.fee, gift.net) == (
                Decimal("25.00"), Decimal("1.03"), Decimal("23.97"),
            ), order  # fmt: skip
            assert gift.campaign == campaign, order
            assert plan.campaign == campaign, order
            assert plan.donor == gift.donor, order
            assert (plan.amount, plan.status) == (Decimal("25.00"), "active"), order
            assert plan.stripe_subscription_id == paid["subscription"]
            transaction.set_rollback(True)


def test_each_paid_invoice_is_one_more_gift_on_the_plan(stripe_on):
    first = stripe_on.subscribe(cents=5000)
    deliver(
        event("invoice.paid", stripe_on.invoice_object(first, subscription=first["subscription"]))
    )
    # Next month's payment on the same subscription (a new payment intent and charge).
    second = stripe_on.pay(cents=5000, customer_id=first["customer"], email="bilal@example.org",
                           name="Bilal Ahmed")  # fmt: skip
    deliver(
        event("invoice.paid", stripe_on.invoice_object(second, subscription=first["subscription"]))
    )
    plan = RecurringPlan.objects.get()
    assert plan.gifts.count() == 2
    assert plan.donor.lifetime_total == Decimal("100.00")


def test_subscription_updated_cancelled_and_failed_payments_update_the_plan(stripe_on):
    paid = stripe_on.subscribe(cents=2500)
    created = stripe_on.subscription_object(paid["subscription"])
    # The subscription's own event arrives before anything else: the donor comes from Stripe.
    deliver(event("customer.subscription.created", created))
    plan = RecurringPlan.objects.get()
    assert (plan.amount, plan.status, plan.donor.display_name) == (
        Decimal("25.00"), "active", "Bilal Ahmed",
    )  # fmt: skip
    assert plan.next_charge_on is not None
    raised = dict(created)
    raised["items"] = {"data": [dict(created["items"]["data"][0],
                                     price={**created["items"]["data"][0]["price"], "unit_amount": 4000})]}  # fmt: skip
    deliver(event("customer.subscription.updated", raised))
    plan.refresh_from_db()
    assert plan.amount == Decimal("40.00")
    failed_invoice = stripe_on.invoice_object(paid, subscription=paid["subscription"])
    failed_invoice["status"] = "open"
    deliver(event("invoice.payment_failed", failed_invoice))
    plan.refresh_from_db()
    assert plan.status == "past_due"
    cancelled = stripe_on.subscription_object(paid["subscription"], status="canceled")
    deliver(event("customer.subscription.deleted", cancelled))
    # An older "active" update delivered late does not bring the plan back.
    deliver(event("customer.subscription.updated", created))
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    assert plan.cancelled_on == datetime.date.today() or plan.cancelled_on is not None
    assert plan.next_charge_on is None


def test_invoice_without_its_payments_asks_stripe_and_is_retried_when_stripe_cannot_say(stripe_on):
    from django.test import Client

    from tests.stripe_peer import post_event

    paid = stripe_on.subscribe(cents=2500)
    invoice = stripe_on.invoice_object(paid, subscription=paid["subscription"])
    del invoice["payments"]  # an includable field: absent unless asked for
    # The local peer has no invoice-payments endpoint: the handler cannot learn the payment,
    # so the event is acknowledged and waits to be tried again, recording nothing rather than
    # guess.
    from donors.models import StripeEvent

    response = post_event(Client(), event("invoice.paid", invoice))
    assert response.status_code == 200
    assert not Gift.objects.exists() and not RecurringPlan.objects.exists()
    waiting = StripeEvent.objects.get()
    assert waiting.processed_at is None and waiting.next_attempt_at is not None
