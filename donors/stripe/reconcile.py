"""Stripe against the books for a period: what Stripe charged and refunded is read from its API,
whatever the webhooks missed is recorded, and every difference left is reported."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from donors.models import Gift, GiftAdjustment, GiftStatus, Organization
from donors.money import from_minor, in_currency, usd
from donors.services import online
from donors.stripe import client, handlers
from donors.stripe.kinds import checkout_kind


def _start_of(day: datetime.date) -> datetime.datetime:
    org = Organization.current()
    zone = zoneinfo.ZoneInfo(org.time_zone if org else settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)


def _paid(charge: dict) -> str:
    """What a charge was for, in its own currency: $50.00, £100.00."""
    code = (charge.get("currency") or "usd").upper()
    amount = from_minor(charge.get("amount") or 0, code)
    return usd(amount) if code == "USD" else in_currency(amount, code)


def _in_dollars(charge: dict, gift: Gift, field: str) -> Decimal:
    """A charge's amount (``amount``, ``amount_refunded``) in the books' US dollars: a charge
    in another currency at the rate its gift settled at."""
    code = (charge.get("currency") or "usd").upper()
    value = from_minor(charge.get(field) or 0, code)
    return value if code == "USD" else online.in_gift_dollars(gift, value, code)


def _expected_status(charge: dict, gift: Gift) -> str:
    refunded = _in_dollars(charge, gift, "amount_refunded") + _lost_disputes(gift)
    if gift.adjustments.filter(kind="dispute", status__in=online.DISPUTE_OPEN).exists():
        return GiftStatus.DISPUTED
    if refunded >= _in_dollars(charge, gift, "amount"):
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


def _record_missing(charge: dict, key: str) -> str | None:
    """Record a charge the books lack; the reason when it cannot be (it is then on the
    "needs attention" list). Stripe being unreachable still stops the whole run."""
    try:
        with transaction.atomic():
            if not _checkout_kind_record(charge, key):
                handlers.charge_succeeded(charge)
    except client.StripeUnavailable:
        raise
    except ValidationError as exc:
        reason = "; ".join(exc.messages)
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
    else:
        return None
    online.stripe_charge_attention(charge, reason)
    return reason


def _refund_record(refund: dict) -> str | None:
    """Record a refund the books lack; the reason when its payment cannot be recorded (its
    charge is then reported and listed as needing attention)."""
    try:
        with transaction.atomic():
            handlers.refund_changed(refund)
    except (online.PaymentUnrecordable, online.PaymentNotRecorded) as exc:
        return str(exc)
    return None


def _amount_difference(charge: dict, gift: Gift, key: str) -> dict | None:
    code = (charge.get("currency") or "usd").upper()
    paid = from_minor(charge.get("amount") or 0, code)
    if code == "USD" and not gift.original_currency:
        if gift.amount == paid:
            return None
        books = usd(gift.amount)
    elif code == gift.original_currency:
        if gift.original_amount == paid:
            return None
        books = in_currency(gift.original_amount, code)
    else:
        books = f"{usd(gift.amount)} paid in {gift.original_currency or 'USD'}"
    return _difference(
        "amount_mismatch", f"Gift #{gift.pk} says {books}; Stripe charge {charge['id']} was "
        f"{_paid(charge)}.", charge=charge["id"], payment=key, gift=gift.pk,
        stripe_amount=paid, books_amount=gift.amount,
    )  # fmt: skip


@dataclass
class _Tally:
    """What a reconciliation has found so far."""

    differences: list[dict] = field(default_factory=list)
    recorded: int = 0
    charges: int = 0
    refunds: int = 0
    keys: set[str] = field(default_factory=set)  # the payments Stripe listed
    charge_ids: set[str] = field(default_factory=set)


def reconcile(*, since: datetime.date) -> dict:
    """Returns ``{since, charges, refunds, recorded, differences}``; ``differences`` are what
    Stripe and the books disagreed on (including what was recorded now). No charge is left
    out: one in another currency is recorded at the dollars it settled as, and one that
    cannot be recorded is reported and put on the "needs attention" list."""
    start = _start_of(since)
    tally = _Tally()
    for charge in client.charges_since(start):
        if charge.get("status") != "succeeded":
            continue  # failed or pending: no money moved
        _charge_checked(charge, tally)
    for refund in client.refunds_since(start):
        _refund_checked(refund, tally)
    _unknown_to_stripe(start, tally)
    return {
        "since": since.isoformat(),
        "charges": tally.charges,
        "refunds": tally.refunds,
        "recorded": tally.recorded,
        "differences": tally.differences,
    }


def _charge_checked(charge: dict, tally: _Tally) -> None:
    """One succeeded charge against the books: its gift (recorded now if missing), amount,
    refunds and status."""
    tally.charges += 1
    key = handlers._id(charge.get("payment_intent")) or charge["id"]
    tally.keys.add(key)
    tally.charge_ids.add(charge["id"])
    gift = online.gift_for_payment(key=key, charge_id=charge["id"])
    if gift is None:
        gift = _missing_gift_recorded(charge, key, tally)
        if gift is None:
            return
    else:
        mismatch = _amount_difference(charge, gift, key)
        if mismatch is not None:
            tally.differences.append(mismatch)
            if (charge.get("currency") or "usd").upper() != (gift.original_currency or "USD"):
                return  # another currency than the books say: nothing else compares
    _refunds_compared(charge, gift, key, tally)
    expected = _expected_status(charge, gift)
    if gift.status != expected:
        tally.differences.append(_difference(
            "status_mismatch", f"Gift #{gift.pk} is {gift.status}; Stripe says {expected}.",
            charge=charge["id"], payment=key, gift=gift.pk, stripe_status=expected,
            books_status=gift.status,
        ))  # fmt: skip


def _missing_gift_recorded(charge: dict, key: str, tally: _Tally) -> Gift | None:
    """A charge the books lack: recorded now (its gift), or reported as one that cannot be."""
    amount = from_minor(charge.get("amount") or 0, charge.get("currency") or "usd")
    reason = _record_missing(charge, key)
    if reason is not None:
        tally.differences.append(_difference(
            "unrecordable_charge", f"Stripe charge {charge['id']} ({_paid(charge)}) "
            f"could not be recorded: {reason} It is on the back office's needs "
            "attention list (Stripe events).", charge=charge["id"], payment=key,
            stripe_amount=amount, currency=(charge.get("currency") or "usd").upper(),
            reason=reason,
        ))  # fmt: skip
        return None
    gift = online.gift_for_payment(key=key, charge_id=charge["id"])
    if gift is None:
        tally.differences.append(_difference(
            "missing_checkout_payment", f"Stripe charge {charge['id']} ({_paid(charge)}) "
            "paid for something other than a donation (a Checkout kind such as event "
            "tickets) whose session is not complete: not recorded as a donation.",
            charge=charge["id"], payment=key, stripe_amount=amount,
        ))  # fmt: skip
        return None
    tally.recorded += 1
    settled = f", settled as {usd(gift.amount)}" if gift.original_currency else ""
    tally.differences.append(_difference(
        "missing_gift", f"Stripe charge {charge['id']} ({_paid(charge)}{settled}) had "
        f"no gift: recorded now as gift #{gift.pk}.", charge=charge["id"], payment=key,
        stripe_amount=amount, gift=gift.pk, books_amount=gift.amount,
    ))  # fmt: skip
    return gift


def _refunds_compared(charge: dict, gift: Gift, key: str, tally: _Tally) -> None:
    """Stripe's refunded total against the books'; the refunds the books lack recorded now."""
    stripe_refunded = _in_dollars(charge, gift, "amount_refunded")
    books_refunded = gift.amount_refunded - _lost_disputes(gift)
    if stripe_refunded == books_refunded:
        return
    for refund in client.refunds_for_charge(charge["id"]):
        refund.setdefault("payment_intent", key)
        if not GiftAdjustment.objects.filter(
            stripe_id=refund["id"], status=refund.get("status")
        ).exists():
            handlers.refund_changed(refund)
            tally.recorded += 1
    gift.refresh_from_db()
    tally.differences.append(_difference(
        "refund_mismatch", f"Gift #{gift.pk}: Stripe refunded ${stripe_refunded:,.2f}, "
        f"the books had ${books_refunded:,.2f}; now "
        f"${gift.amount_refunded - _lost_disputes(gift):,.2f}.", charge=charge["id"],
        payment=key, gift=gift.pk, stripe_refunded=stripe_refunded,
        books_refunded=books_refunded,
    ))  # fmt: skip


def _refund_checked(refund: dict, tally: _Tally) -> None:
    """A refund of the period that the books lack: recorded now, or reported."""
    tally.refunds += 1
    if not refund.get("status"):
        return
    if GiftAdjustment.objects.filter(stripe_id=refund["id"], status=refund["status"]).exists():
        return
    code = (refund.get("currency") or "usd").upper()
    refunded = from_minor(refund.get("amount") or 0, code)
    text = usd(refunded) if code == "USD" else in_currency(refunded, code)
    reason = _refund_record(refund)
    if reason is not None:
        tally.differences.append(_difference(
            "unrecordable_refund", f"Stripe refund {refund['id']} ({text}, "
            f"{refund['status']}) could not be recorded: {reason}", refund=refund["id"],
            charge=refund.get("charge"), stripe_amount=refunded, reason=reason,
        ))  # fmt: skip
        return
    tally.recorded += 1
    tally.differences.append(_difference(
        "missing_refund", f"Stripe refund {refund['id']} ({text}, "
        f"{refund['status']}) was not in the books: recorded now.", refund=refund["id"],
        charge=refund.get("charge"), stripe_amount=refunded,
    ))  # fmt: skip


def _unknown_to_stripe(start, tally: _Tally) -> None:
    """Gifts of the period that claim a Stripe payment Stripe did not list."""
    unknown = (
        Gift.objects.filter(processor="stripe", charged_at__gte=start)
        .exclude(stripe_payment_id__in=tally.keys)
        .exclude(stripe_charge_id__in=tally.charge_ids)
        .order_by("charged_at", "pk")
    )
    for gift in unknown:
        tally.differences.append(_difference(
            "unknown_to_stripe", f"Gift #{gift.pk} (${gift.amount:,.2f}, {gift.gift_date}) "
            f"claims Stripe payment {gift.stripe_payment_id or gift.stripe_charge_id}, which "
            "Stripe does not list for the period.", gift=gift.pk,
            payment=gift.stripe_payment_id, charge=gift.stripe_charge_id, books_amount=gift.amount,
        ))  # fmt: skip
