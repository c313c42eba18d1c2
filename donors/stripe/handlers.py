"""One handler per Stripe event type: Stripe's objects in, calls to the donors services out.

Each handler reads the event's object in the shape of the pinned API version and asks the API
only for what the event lacks (the charge behind a payment intent, the fee behind a charge) and
only while the books do not have it yet.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from donors.models import Gift, GiftAdjustment, GiftMethod
from donors.money import from_minor, in_currency
from donors.services import dunning, online
from donors.services.online import PaymentFacts, SubscriptionFacts
from donors.stripe import client
from donors.stripe.kinds import checkout_kind

log = logging.getLogger(__name__)


def _cents(value) -> Decimal | None:
    return None if value is None else Decimal(int(value)) / 100


def _dollars(value, currency: str | None) -> Decimal | None:
    """An amount Stripe states in ``currency``, when that is US dollars. A monthly plan in
    another currency has no dollar amount until its first payment settles (the plan then
    takes the gift's dollars)."""
    return _cents(value) if (currency or "usd").lower() == "usd" else None


def _when(value) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromtimestamp(int(value), datetime.UTC)


def _id(value) -> str | None:
    """An id whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def facts_from_charge(charge: dict) -> PaymentFacts:
    """What a charge says. One in another currency is told in the US dollars Stripe settled it
    as (its balance transaction, read from the API when the charge names it only)."""
    billing = charge.get("billing_details") or {}
    details = charge.get("payment_method_details") or {}
    card = details.get("card") or {}
    txn = charge.get("balance_transaction")
    facts = PaymentFacts(
        key=_id(charge.get("payment_intent")) or charge["id"],
        charge_id=charge["id"],
        amount=_cents(charge.get("amount")),
        currency=charge.get("currency") or "usd",
        charged_at=_when(charge.get("created")),
        customer_id=_id(charge.get("customer")),
        email=billing.get("email") or charge.get("receipt_email"),
        name=billing.get("name"),
        address=billing.get("address"),
        card_last4=card.get("last4"),
        method=GiftMethod.ACH if details.get("type") == "us_bank_account" else GiftMethod.CARD,
        fee=_cents(txn.get("fee")) if isinstance(txn, dict) else None,
        metadata=dict(charge.get("metadata") or {}),
    )
    if facts.currency.lower() != "usd":
        _settled_in_dollars(facts, charge)
    return facts


def _settled_in_dollars(facts: PaymentFacts, charge: dict) -> None:
    """Turn a charge's facts in another currency into the dollars it settled as, keeping what
    the donor paid. Raises ``PaymentUnrecordable`` when it did not settle in dollars, and
    ``PaymentNotRecorded`` (tried again later) while Stripe has not settled it yet."""
    code = facts.currency.upper()
    paid = in_currency(from_minor(charge.get("amount") or 0, code), code)
    txn = charge.get("balance_transaction")
    if isinstance(txn, str):
        txn = client.balance_transaction_retrieve(txn)
    if not isinstance(txn, dict) or txn.get("amount") is None:
        raise online.PaymentNotRecorded(
            f"Stripe charge {charge['id']} ({paid}) has no balance transaction yet: the dollars "
            "it settled as are not known."
        )
    settled = (txn.get("currency") or "").upper()
    if settled != "USD":
        raise online.PaymentUnrecordable(
            f"Stripe charge {charge['id']} was paid as {paid} and settled in "
            f"{settled or 'an unknown currency'}, not US dollars: the books are in US dollars. "
            "Record the gift by hand at the dollar value, then mark this resolved."
        )
    rate = txn.get("exchange_rate")
    facts.original_currency = code
    facts.original_amount = from_minor(charge.get("amount") or 0, code)
    facts.exchange_rate = Decimal(str(rate)) if rate is not None else None
    facts.amount = _cents(txn["amount"])
    facts.fee = _cents(txn.get("fee") or 0)
    facts.currency = "usd"


def charge_succeeded(charge: dict) -> None:
    if charge.get("status") != "succeeded" and not charge.get("paid"):
        return  # pending or failed: nothing reached the books
    facts = facts_from_charge(charge)
    if checkout_kind(facts.metadata) and _not_recorded(facts):
        return  # paid through a Checkout kind: its session's event records it
    txn = charge.get("balance_transaction")
    if isinstance(txn, str) and facts.fee is None:
        gift = online.gift_for_payment(key=facts.key, charge_id=facts.charge_id)
        if gift is None or gift.fee is None:
            facts.fee = _cents(client.balance_transaction_retrieve(txn).get("fee"))
    online.online_payment_record(facts=facts)


def payment_intent_succeeded(intent: dict) -> None:
    latest = intent.get("latest_charge")
    # The charge, not the payment intent, says what was paid and when.
    # (Its currency is the charge's to tell, with the dollars it settled as.)
    facts = PaymentFacts(
        key=intent["id"],
        customer_id=_id(intent.get("customer")),
        metadata=dict(intent.get("metadata") or {}),
    )
    if isinstance(latest, dict):
        facts = facts.merge(facts_from_charge(latest))
    _record(facts, _id(latest))


def _not_recorded(facts: PaymentFacts) -> bool:
    return online.gift_for_payment(key=facts.key, charge_id=facts.charge_id) is None


def _record(facts: PaymentFacts, charge_id: str | None) -> None:
    gift = online.gift_for_payment(key=facts.key, charge_id=charge_id)
    if gift is None and checkout_kind(facts.metadata):
        return  # paid through a Checkout kind: its session's event records it
    if gift is None or gift.fee is None:
        charge = None
        if charge_id:
            charge = client.charge_retrieve(charge_id)
        elif facts.key.startswith("pi_"):
            charge = client.payment_intent_charge(facts.key)
        if charge is not None:
            charge_facts = facts_from_charge(charge)
            facts = charge_facts.merge(facts) if gift is None else facts.merge(charge_facts)
    if gift is None and checkout_kind(facts.metadata):
        return
    if gift is None and facts.customer_id and not (facts.email or facts.name):
        customer = client.customer_retrieve(facts.customer_id)
        facts.email, facts.name = customer.get("email"), customer.get("name")
        facts.address = facts.address or customer.get("address")
    if gift is None and not facts.complete:
        return  # no charge yet: the charge's own event will record it
    online.online_payment_record(facts=facts)


def checkout_session_completed(session: dict) -> None:
    details = session.get("customer_details") or {}
    metadata = dict(session.get("metadata") or {})
    if session.get("mode") == "setup":
        card_update_complete(session)
        return
    kind = checkout_kind(metadata)
    if kind is not None:
        if checkout_kind_complete(session):
            # The kind recorded the gift; the charge fills in the fee, charge id and card.
            _record(
                PaymentFacts(
                    key=_id(session["payment_intent"]),
                    customer_id=_id(session.get("customer")),
                    metadata=metadata,
                ),
                None,
            )
        return
    if session.get("mode") == "subscription":
        subscription_id = _id(session.get("subscription"))
        if subscription_id:
            online.online_subscription_sync(
                facts=SubscriptionFacts(
                    subscription_id=subscription_id,
                    status="active",
                    amount=_dollars(session.get("amount_total"), session.get("currency")),
                    interval=metadata.get("interval") or "month",
                    started_at=_when(session.get("created")),
                    metadata=metadata,
                ),
                donor_facts=PaymentFacts(
                    key="",
                    customer_id=_id(session.get("customer")),
                    email=details.get("email"),
                    name=details.get("name"),
                    address=details.get("address"),
                ),
            )
        return
    if session.get("payment_status") != "paid" or not session.get("payment_intent"):
        return  # an async payment method: its payment intent's events record it
    facts = PaymentFacts(
        key=_id(session["payment_intent"]),
        customer_id=_id(session.get("customer")),
        email=details.get("email"),
        name=details.get("name"),
        address=details.get("address"),
        metadata=metadata,
    )
    _record(facts, None)


def card_update_complete(session: dict) -> None:
    """A donor gave a new card through Checkout in setup mode (donors.stripe.checkout
    .card_update_url): it becomes their subscription's card, and an invoice still open (a
    failed payment) is paid with it now rather than at Stripe's next retry. Both calls are
    safe to repeat: the event is applied once, but a failed try runs again."""
    metadata = dict(session.get("metadata") or {})
    subscription_id = metadata.get("subscription")
    setup_intent = session.get("setup_intent")
    if metadata.get("purpose") != "card_update" or not subscription_id or not setup_intent:
        return
    if isinstance(setup_intent, str):
        setup_intent = client.setup_intent_retrieve(setup_intent)
    payment_method = _id(setup_intent.get("payment_method"))
    if not payment_method or setup_intent.get("status") != "succeeded":
        return
    subscription = client.subscription_default_payment_method_set(subscription_id, payment_method)
    dunning.dunning_card_updated(subscription_id=subscription_id)
    invoice_id = _id(subscription.get("latest_invoice"))
    if invoice_id and client.invoice_retrieve(invoice_id).get("status") == "open":
        # A decline is Stripe's to report (invoice.payment_failed), not a reason to retry this.
        client.invoice_pay(invoice_id)


def checkout_kind_complete(session: dict) -> bool:
    """Hand a paid session of a registered Checkout kind to that kind, holding the payment's
    lock (the other events of the same payment wait). False when there is nothing to record
    yet (not paid, or an async payment still pending)."""
    kind = checkout_kind(session.get("metadata"))
    if kind is None:
        raise ValueError("not a session of a registered Checkout kind")
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return False
    if not session.get("payment_intent"):
        return False
    with transaction.atomic():
        online.payment_lock(_id(session["payment_intent"]))
        kind.completed(session)
    return True


def checkout_session_expired(session: dict) -> None:
    """A session nobody paid: its kind releases what it held (tickets kept for the buyer)."""
    kind = checkout_kind(session.get("metadata"))
    if kind is not None and kind.expired is not None:
        kind.expired(session)


def _invoice_subscription(invoice: dict) -> tuple[str | None, dict]:
    parent = invoice.get("parent") or {}
    sub = parent.get("subscription_details") or {}
    return _id(sub.get("subscription")), dict(sub.get("metadata") or {})


def invoice_paid(invoice: dict) -> None:
    subscription_id, metadata = _invoice_subscription(invoice)
    if "payments" in invoice:
        payments = (invoice.get("payments") or {}).get("data") or []
    else:
        payments = client.invoice_payments(invoice["id"])
    for item in payments:
        if item.get("status") != "paid":
            continue
        payment = item.get("payment") or {}
        key = _id(payment.get("payment_intent")) or _id(payment.get("charge"))
        if not key:
            continue
        facts = PaymentFacts(
            key=key,
            customer_id=_id(invoice.get("customer")),
            email=invoice.get("customer_email"),
            name=invoice.get("customer_name"),
            address=invoice.get("customer_address"),
            invoice_id=invoice["id"],
            subscription_id=subscription_id,
            metadata={**dict(invoice.get("metadata") or {}), **metadata},
        )
        _record(facts, _id(payment.get("charge")))
    if subscription_id:
        gift = Gift.objects.filter(stripe_invoice_id=invoice["id"]).only("amount").first()
        amount = (
            gift.amount if gift else _dollars(invoice.get("amount_paid"), invoice.get("currency"))
        )
        dunning.dunning_invoice_paid(
            subscription_id=subscription_id, invoice_id=invoice["id"], amount=amount
        )


def invoice_payment_failed(invoice: dict) -> None:
    """The plan is past due, and the donor is told (once per failed attempt; the last
    notice when Stripe will not try again: ``next_payment_attempt`` empty)."""
    subscription_id, _ = _invoice_subscription(invoice)
    if not subscription_id:
        return
    online.online_plan_payment_failed(subscription_id=subscription_id)
    dunning.dunning_payment_failed(
        subscription_id=subscription_id,
        invoice_id=invoice["id"],
        attempt=max(int(invoice.get("attempt_count") or 1), 1),
        next_attempt_at=_when(invoice.get("next_payment_attempt")),
        # Stripe always sends the field; empty, it says the last try failed.
        final="next_payment_attempt" in invoice and invoice["next_payment_attempt"] is None,
        amount=_dollars(invoice.get("amount_due"), invoice.get("currency")),
        failed_at=datetime.datetime.now(datetime.UTC),
    )


def _subscription_facts(sub: dict) -> SubscriptionFacts:
    items = (sub.get("items") or {}).get("data") or []
    amount = interval = next_at = None
    if items:
        item = items[0]
        price = item.get("price") or item.get("plan") or {}
        unit = price.get("unit_amount", price.get("amount"))
        currency = price.get("currency") or sub.get("currency")
        if unit is not None and (currency or "usd").lower() == "usd":
            amount = _cents(unit) * int(item.get("quantity") or 1)
        interval = (price.get("recurring") or {}).get("interval") or price.get("interval")
        next_at = _when(item.get("current_period_end"))
    status = sub.get("status") or "active"
    # Paused collection (the donor's "pause" on /my/) leaves Stripe's status "active": the
    # subscription goes on but no invoice is charged until it is resumed.
    if status in ("active", "trialing", "past_due") and sub.get("pause_collection"):
        status = "paused"
    return SubscriptionFacts(
        subscription_id=sub["id"],
        status=status,
        amount=amount,
        interval=interval,
        next_charge_at=next_at,
        cancelled_at=_when(sub.get("canceled_at") or sub.get("ended_at")),
        started_at=_when(sub.get("start_date") or sub.get("created")),
        metadata=dict(sub.get("metadata") or {}),
    )


def subscription_changed(sub: dict) -> None:
    facts = _subscription_facts(sub)
    plan = online.online_subscription_sync(facts=facts)
    if sub.get("status") == "canceled":
        # Ended with a payment still failing: the donor gets the last notice.
        dunning.dunning_plan_ended(subscription_id=sub["id"])
    if plan is None and sub.get("customer"):
        customer = client.customer_retrieve(_id(sub["customer"]))
        online.online_subscription_sync(
            facts=facts,
            donor_facts=PaymentFacts(
                key="",
                customer_id=customer["id"],
                email=customer.get("email"),
                name=customer.get("name"),
                address=customer.get("address"),
            ),
        )


def _ensure_payment(key: str, charge_id: str | None) -> None:
    """A refund or dispute can arrive before its payment's events: record the payment first."""
    if online.gift_for_payment(key=key, charge_id=charge_id) is None:
        _record(PaymentFacts(key=key), charge_id)


def _adjust(obj: dict, kind: str) -> None:
    charge_id = _id(obj.get("charge"))
    key = _id(obj.get("payment_intent")) or charge_id
    _ensure_payment(key, charge_id)
    online.online_adjustment_apply(
        key=key,
        charge_id=charge_id,
        kind=kind,
        stripe_id=obj["id"],
        # In the payment's currency: whole yen are not hundredths.
        amount=from_minor(obj["amount"], obj.get("currency") or "usd"),
        status=obj.get("status") or "",
        occurred_at=_when(obj.get("created")),
        reason=obj.get("reason") or "",
        currency=obj.get("currency") or "usd",
    )


def refund_changed(refund: dict) -> None:
    _adjust(refund, GiftAdjustment.Kind.REFUND)


def dispute_changed(dispute: dict) -> None:
    _adjust(dispute, GiftAdjustment.Kind.DISPUTE)


def charge_refunded(charge: dict) -> None:
    """The charge says how much is refunded but not (in this API version) by which refunds:
    those are read from the API, each kept as its own record."""
    charge_succeeded(charge)
    for refund in client.refunds_for_charge(charge["id"]):
        refund.setdefault("payment_intent", _id(charge.get("payment_intent")))
        refund_changed(refund)


HANDLERS: dict[str, Callable[[dict], None]] = {
    "checkout.session.completed": checkout_session_completed,
    "checkout.session.async_payment_succeeded": checkout_session_completed,
    "checkout.session.expired": checkout_session_expired,
    "payment_intent.succeeded": payment_intent_succeeded,
    "charge.succeeded": charge_succeeded,
    "charge.updated": charge_succeeded,
    "charge.refunded": charge_refunded,
    "refund.created": refund_changed,
    "refund.updated": refund_changed,
    "refund.failed": refund_changed,
    "charge.refund.updated": refund_changed,
    "charge.dispute.created": dispute_changed,
    "charge.dispute.updated": dispute_changed,
    "charge.dispute.closed": dispute_changed,
    "charge.dispute.funds_withdrawn": dispute_changed,
    "charge.dispute.funds_reinstated": dispute_changed,
    "invoice.paid": invoice_paid,
    "invoice.payment_succeeded": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
}
