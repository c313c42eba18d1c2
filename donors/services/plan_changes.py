"""A donor's own changes to their monthly gift, asked of Stripe (the donors' page, /my/).

Nothing here changes the plan: each function asks Stripe for the change and notes the request
in the plan's audit history; the plan changes when Stripe's webhook says the subscription did
(``customer.subscription.updated`` / ``.deleted``, donors.stripe.handlers), once, whatever
the number of deliveries."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from common.door import service
from donors.models import RecurringPlan
from donors.stripe import client

# The smallest and largest monthly amount a donor may set themselves.
MONTHLY_LEAST = Decimal("1.00")
MONTHLY_MOST = Decimal("10000.00")


def _note(plan: RecurringPlan, what: str) -> None:
    LogEntry.objects.log_create(
        plan,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"asked of Stripe": ["", what]},
    )


def _live(plan: RecurringPlan) -> str:
    if not plan.stripe_subscription_id:
        raise ValidationError("This monthly gift is not kept by Stripe: write to us to change it.")
    if plan.status == RecurringPlan.Status.CANCELLED:
        raise ValidationError("This monthly gift was cancelled.")
    return plan.stripe_subscription_id


def plan_amount_parse(value: str) -> Decimal:
    """A dollar amount typed by a donor ("25", "$1,000.50"), or a ValidationError."""
    text = (value or "").strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError("Enter an amount in dollars, such as 25 or 25.50.") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("Enter an amount in dollars and cents, such as 25.50.")
    if not MONTHLY_LEAST <= amount <= MONTHLY_MOST:
        raise ValidationError(
            f"A monthly gift is from ${MONTHLY_LEAST:,.2f} to ${MONTHLY_MOST:,.0f}."
        )
    return amount


@service
def plan_amount_change_ask(*, plan: RecurringPlan, amount: Decimal) -> dict:
    """Ask Stripe to charge ``amount`` from the next payment on (no proration: the current
    month stays as paid). Raises ValidationError or StripeUnavailable."""
    subscription_id = _live(plan)
    sub = client.subscription_retrieve(subscription_id)
    items = (sub.get("items") or {}).get("data") or []
    if len(items) != 1:
        raise ValidationError("This monthly gift cannot be changed here: write to us.")
    item = items[0]
    price = item.get("price") or item.get("plan") or {}
    currency = (price.get("currency") or sub.get("currency") or "usd").lower()
    if currency != "usd":
        raise ValidationError("This monthly gift is in another currency: write to us to change it.")
    product = price.get("product")
    product = product if isinstance(product, str) else (product or {}).get("id")
    interval = (price.get("recurring") or {}).get("interval") or price.get("interval") or "month"
    updated = client.subscription_update(
        subscription_id,
        {
            "items": [
                {
                    "id": item["id"],
                    "price_data": {
                        "currency": "usd",
                        "product": product,
                        "unit_amount": int(amount * 100),
                        "recurring": {"interval": interval},
                    },
                }
            ],
            "proration_behavior": "none",
        },
    )
    _note(plan, f"amount ${amount:,.2f} from the next payment")
    return updated


@service
def plan_pause_ask(*, plan: RecurringPlan, paused: bool) -> dict:
    """Ask Stripe to pause the plan's payments (no invoice is charged) or to resume them."""
    subscription_id = _live(plan)
    updated = client.subscription_update(
        subscription_id, {"pause_collection": {"behavior": "void"} if paused else ""}
    )
    _note(plan, "pause payments" if paused else "resume payments")
    return updated


@service
def plan_cancel_ask(*, plan: RecurringPlan) -> dict:
    """Ask Stripe to end the subscription now."""
    subscription_id = _live(plan)
    cancelled = client.subscription_cancel(subscription_id)
    _note(plan, "cancel")
    return cancelled
