"""Stripe against the books for a period: what Stripe charged and refunded is read from its API,
whatever the webhooks missed is recorded, and every difference left is reported."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings

from donors.models import Gift, GiftAdjustment, GiftStatus, Organization
from donors.services import online
from donors.stripe import client, handlers
from donors.stripe.kinds import checkout_kind


def _cents(value) -> Decimal:
    return Decimal(int(value or 0)) / 100


def _start_of(day: datetime.date) -> datetime.datetime:
    org = Organization.current()
    zone = zoneinfo.ZoneInfo(org.time_zone if org else settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)


def _expected_status(charge: dict, gift: Gift) -> str:
    refunded = _cents(charge.get("amount_refunded")) + _lost_disputes(gift)
    if gift.adjustments.filter(kind="dispute", status__in=online.DISPUTE_OPEN).exists():
        return GiftStatus.DISPUTED
    if refunded >= _cents(charge.get("amount")):
        return GiftStatus.REFUNDED
    return GiftStatus.PARTIALLY_REFUNDED if refunded > 0 else GiftStatus.SUCCEEDED


def _lost_disputes(gift: Gift) -> Decimal:
    return sum(
        (a.amount for a in gift.adjustments.all() if a.kind == "dispute" and a.status == "lost"),
        Decimal("0"),
    )


def _difference(kind: str, message: str, **fields) -> dict:
    return {"kind": kind, "message": message, **{k: str(v) if isinstance(v, Decimal) else v
                                                for k, v in fields.items()}}  # fmt: skip


def _checkout_kind_record(charge: dict, key: str) -> bool:
    """A missing payment made through a Checkout kind (event tickets) is recorded by that kind
    from its session, never as a plain donation. True when a kind took it."""
    if not key.startswith("pi_"):
        return False
    session = client.checkout_session_for_payment(key)
    if session is None or checkout_kind(session.get("metadata")) is None:
        return False
    handlers.checkout_session_completed(session)
    return True


def reconcile(*, since: datetime.date) -> dict:
    """Returns ``{since, charges, refunds, recorded, differences}``; ``differences`` are what
    Stripe and the books disagreed on (including what was recorded now)."""
    start = _start_of(since)
    differences: list[dict] = []
    recorded = 0
    keys: set[str] = set()
    charge_ids: set[str] = set()
    charges = 0
    for charge in client.charges_since(start):
        if charge.get("status") != "succeeded" or (charge.get("currency") or "usd") != "usd":
            continue
        charges += 1
        key = handlers._id(charge.get("payment_intent")) or charge["id"]
        keys.add(key)
        charge_ids.add(charge["id"])
        gift = online.gift_for_payment(key=key, charge_id=charge["id"])
        amount = _cents(charge.get("amount"))
        if gift is None:
            if not _checkout_kind_record(charge, key):
                handlers.charge_succeeded(charge)
            gift = online.gift_for_payment(key=key, charge_id=charge["id"])
            if gift is None:
                differences.append(_difference(
                    "missing_checkout_payment", f"Stripe charge {charge['id']} (${amount:,.2f}) "
                    "paid for something other than a donation (a Checkout kind such as event "
                    "tickets) whose session is not complete: not recorded as a donation.",
                    charge=charge["id"], payment=key, stripe_amount=amount,
                ))  # fmt: skip
                continue
            recorded += 1
            differences.append(_difference(
                "missing_gift", f"Stripe charge {charge['id']} (${amount:,.2f}) had no gift: "
                f"recorded now as gift #{gift.pk}.", charge=charge["id"], payment=key,
                stripe_amount=amount, gift=gift.pk,
            ))  # fmt: skip
        elif gift.amount != amount:
            differences.append(_difference(
                "amount_mismatch", f"Gift #{gift.pk} says ${gift.amount:,.2f}; Stripe charge "
                f"{charge['id']} was ${amount:,.2f}.", charge=charge["id"], payment=key,
                gift=gift.pk, stripe_amount=amount, books_amount=gift.amount,
            ))  # fmt: skip
        stripe_refunded = _cents(charge.get("amount_refunded"))
        books_refunded = gift.amount_refunded - _lost_disputes(gift)
        if stripe_refunded != books_refunded:
            for refund in client.refunds_for_charge(charge["id"]):
                refund.setdefault("payment_intent", key)
                if not GiftAdjustment.objects.filter(
                    stripe_id=refund["id"], status=refund.get("status")
                ).exists():
                    handlers.refund_changed(refund)
                    recorded += 1
            gift.refresh_from_db()
            differences.append(_difference(
                "refund_mismatch", f"Gift #{gift.pk}: Stripe refunded ${stripe_refunded:,.2f}, "
                f"the books had ${books_refunded:,.2f}; now "
                f"${gift.amount_refunded - _lost_disputes(gift):,.2f}.", charge=charge["id"],
                payment=key, gift=gift.pk, stripe_refunded=stripe_refunded,
                books_refunded=books_refunded,
            ))  # fmt: skip
        expected = _expected_status(charge, gift)
        if gift.status != expected:
            differences.append(_difference(
                "status_mismatch", f"Gift #{gift.pk} is {gift.status}; Stripe says {expected}.",
                charge=charge["id"], payment=key, gift=gift.pk, stripe_status=expected,
                books_status=gift.status,
            ))  # fmt: skip

    refunds = 0
    for refund in client.refunds_since(start):
        refunds += 1
        if (
            refund.get("status")
            and not GiftAdjustment.objects.filter(
                stripe_id=refund["id"], status=refund["status"]
            ).exists()
        ):
            handlers.refund_changed(refund)
            recorded += 1
            differences.append(_difference(
                "missing_refund", f"Stripe refund {refund['id']} (${_cents(refund['amount']):,.2f}, "
                f"{refund['status']}) was not in the books: recorded now.", refund=refund["id"],
                charge=refund.get("charge"), stripe_amount=_cents(refund["amount"]),
            ))  # fmt: skip

    unknown = (
        Gift.objects.filter(processor="stripe", charged_at__gte=start)
        .exclude(stripe_payment_id__in=keys)
        .exclude(stripe_charge_id__in=charge_ids)
        .order_by("charged_at", "pk")
    )
    for gift in unknown:
        differences.append(_difference(
            "unknown_to_stripe", f"Gift #{gift.pk} (${gift.amount:,.2f}, {gift.gift_date}) "
            f"claims Stripe payment {gift.stripe_payment_id or gift.stripe_charge_id}, which "
            "Stripe does not list for the period.", gift=gift.pk,
            payment=gift.stripe_payment_id, charge=gift.stripe_charge_id, books_amount=gift.amount,
        ))  # fmt: skip
    return {
        "since": since.isoformat(),
        "charges": charges,
        "refunds": refunds,
        "recorded": recorded,
        "differences": differences,
    }
