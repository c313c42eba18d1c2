"""The Stripe API calls the project makes, returning plain dicts."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator

import stripe
from django.conf import settings

# Pinned to the API version the installed library was written for; events and objects are read
# in that shape (invoice payments under ``payments``, the subscription under ``parent``).
API_VERSION = stripe.api_version


class StripeUnavailable(Exception):
    """Stripe could not be asked (not configured, unreachable, or it refused)."""


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeUnavailable("STRIPE_SECRET_KEY is not set: online giving is off.")
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


@functools.lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        stripe_version=API_VERSION,
        base_addresses={"api": api_base} if api_base else {},
        max_network_retries=1,
    )


def _plain(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def charge_retrieve(charge_id: str) -> dict:
    """A charge with its balance transaction (the fee) expanded."""
    charge = _call(client().v1.charges.retrieve, charge_id, {"expand": ["balance_transaction"]})
    return _plain(charge)


def payment_intent_charge(payment_intent_id: str) -> dict | None:
    """The charge that settled a payment intent, with its balance transaction; None while the
    payment intent has no charge."""
    intent = _plain(_call(client().v1.payment_intents.retrieve, payment_intent_id))
    charge = intent.get("latest_charge")
    if not charge:
        return None
    charge_id = charge if isinstance(charge, str) else charge["id"]
    result = charge_retrieve(charge_id)
    if not result.get("metadata") and intent.get("metadata"):
        result["metadata"] = intent["metadata"]
    return result


def balance_transaction_retrieve(txn_id: str) -> dict:
    return _plain(_call(client().v1.balance_transactions.retrieve, txn_id))


def refunds_for_charge(charge_id: str) -> list[dict]:
    refunds = _call(client().v1.refunds.list, {"charge": charge_id, "limit": 100})
    return [_plain(r) for r in refunds.auto_paging_iter()]


def invoice_payments(invoice_id: str) -> list[dict]:
    """An invoice's payments (``payments`` is includable, so webhook payloads may lack it)."""
    payments = _call(client().v1.invoice_payments.list, {"invoice": invoice_id, "limit": 100})
    return [_plain(p) for p in payments.auto_paging_iter()]


def customer_retrieve(customer_id: str) -> dict:
    return _plain(_call(client().v1.customers.retrieve, customer_id))


def charges_since(since: datetime.datetime) -> Iterator[dict]:
    params = {"created": {"gt": int(since.timestamp()) - 1}, "limit": 100}
    charges = _call(client().v1.charges.list, params)
    try:
        for charge in charges.auto_paging_iter():
            yield _plain(charge)
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def refunds_since(since: datetime.datetime) -> Iterator[dict]:
    """Refunds newest first (Stripe's order), until the first one older than ``since``."""
    refunds = _call(client().v1.refunds.list, {"limit": 100})
    cutoff = int(since.timestamp())
    try:
        for refund in refunds.auto_paging_iter():
            refund = _plain(refund)
            if int(refund.get("created") or 0) < cutoff:
                return
            yield refund
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def checkout_session_create(params: dict) -> dict:
    """A Checkout Session (payment or subscription mode); its ``url`` is where the donor goes."""
    return _plain(_call(client().v1.checkout.sessions.create, params))


def checkout_session_retrieve(session_id: str) -> dict:
    """One Checkout Session by its id (the donor's return from Checkout names it)."""
    return _plain(_call(client().v1.checkout.sessions.retrieve, session_id))


def checkout_session_for_payment(payment_intent_id: str) -> dict | None:
    """The Checkout Session that made this payment, or None (a payment made without one)."""
    sessions = _call(
        client().v1.checkout.sessions.list, {"payment_intent": payment_intent_id, "limit": 1}
    )
    data = [_plain(s) for s in sessions.data]
    return data[0] if data else None


def setup_intent_retrieve(setup_intent_id: str) -> dict:
    return _plain(_call(client().v1.setup_intents.retrieve, setup_intent_id))


def subscription_retrieve(subscription_id: str) -> dict:
    return _plain(_call(client().v1.subscriptions.retrieve, subscription_id))


def subscription_default_payment_method_set(subscription_id: str, payment_method: str) -> dict:
    """Make ``payment_method`` the card the subscription's invoices are paid with."""
    params = {"default_payment_method": payment_method}
    return _plain(_call(client().v1.subscriptions.update, subscription_id, params))


def invoice_retrieve(invoice_id: str) -> dict:
    return _plain(_call(client().v1.invoices.retrieve, invoice_id))


def invoice_pay(invoice_id: str) -> dict | None:
    """Try to pay an open invoice now; None when the card is declined (Stripe then sends
    invoice.payment_failed, which tells the donor)."""
    try:
        return _plain(client().v1.invoices.pay(invoice_id))
    except stripe.CardError:
        return None
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


def subscription_update(subscription_id: str, params: dict) -> dict:
    """Change a subscription (its price, ``pause_collection``); Stripe then sends
    ``customer.subscription.updated``, which is what changes the plan here."""
    return _plain(_call(client().v1.subscriptions.update, subscription_id, params))


def subscription_cancel(subscription_id: str) -> dict:
    """End a subscription now; Stripe then sends ``customer.subscription.deleted``."""
    return _plain(_call(client().v1.subscriptions.cancel, subscription_id))
