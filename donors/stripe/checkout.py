"""The hand-off to Stripe Checkout: a session in payment (once) or subscription (monthly) mode,
with the donor's choices in its metadata so the webhook can file the gift."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from donors.currencies import CURRENCIES, USD, Currency
from donors.models import Gift
from donors.money import from_minor, usd
from donors.stripe import client


def fee_covered_total(amount: Decimal) -> Decimal:
    """What to charge in US dollars so that, after Stripe's fee, the organization receives
    ``amount`` (the rule for every currency is ``Currency.fee_covered``)."""
    return USD.fee_covered(amount)


@dataclasses.dataclass
class DonationChoice:
    amount: Decimal
    currency: str = "USD"
    monthly: bool = False
    cover_fee: bool = False
    campaign_slug: str = ""
    campaign_name: str = ""
    tribute_kind: str = ""
    tribute_name: str = ""
    tribute_notify_name: str = ""
    tribute_notify_email: str = ""
    appeal_code: str = ""  # the code of the appeal a donate link carried

    @property
    def money(self) -> Currency:
        return CURRENCIES.get(self.currency.upper(), USD)

    @property
    def charged(self) -> Decimal:
        """In the donor's currency: the gift, grossed up when they cover the fee."""
        return self.money.fee_covered(self.amount) if self.cover_fee else self.amount

    def metadata(self) -> dict[str, str]:
        values = {
            "frequency": "monthly" if self.monthly else "once",
            "gift_amount": str(self.amount),
            # Said only for another currency: the gift is then recorded in the dollars Stripe
            # settles it as, not this amount.
            "gift_currency": "" if self.money is USD else self.money.code,
            "cover_fee": "yes" if self.cover_fee else "no",
            "campaign": self.campaign_slug,
            "tribute_kind": self.tribute_kind,
            "tribute_name": self.tribute_name,
            "tribute_notify_name": self.tribute_notify_name,
            "tribute_notify_email": self.tribute_notify_email,
            "appeal": self.appeal_code,
        }
        return {k: v[:500] for k, v in values.items() if v}


def session_params(
    choice: DonationChoice, *, organization_name: str, success_url: str, cancel_url: str
) -> dict:
    """The Checkout Session's parameters (pure: tested without Stripe). A gift in another
    currency is a price in that currency, once or monthly (a subscription in pounds)."""
    minor = choice.money.to_minor(choice.charged)
    name = f"Gift to {organization_name}"
    if choice.campaign_name:
        name = f"{name}: {choice.campaign_name}"
    price_data: dict = {
        "currency": choice.money.code.lower(),
        "unit_amount": minor,
        "product_data": {"name": name},
    }
    metadata = choice.metadata()
    params: dict = {
        "mode": "subscription" if choice.monthly else "payment",
        "line_items": [{"quantity": 1, "price_data": price_data}],
        "billing_address_collection": "required",
        "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": cancel_url,
        "metadata": metadata,
        "submit_type": None,
    }
    if choice.monthly:
        price_data["recurring"] = {"interval": "month"}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["submit_type"] = "donate"
        params["customer_creation"] = "always"
        params["payment_intent_data"] = {"metadata": metadata}
    return {k: v for k, v in params.items() if v is not None}


def checkout_start(
    choice: DonationChoice, *, organization_name: str, success_url: str, cancel_url: str
) -> str:
    """Create the session and return the URL to send the donor to (raises StripeUnavailable)."""
    session = client.checkout_session_create(
        session_params(
            choice,
            organization_name=organization_name,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    )
    url = session.get("url")
    if not url:
        raise client.StripeUnavailable("Stripe returned a Checkout Session without a URL")
    return url


@dataclasses.dataclass
class CheckoutSummary:
    """What the thank-you page tells the donor back from Stripe: what they paid, in their
    currency, and, once the gift is recorded, the US dollars it was recorded (and will be
    receipted) as."""

    paid: str
    foreign: bool
    monthly: bool
    recorded: str = ""


def checkout_summary(session_id: str) -> CheckoutSummary | None:
    """The session the donor came back from, or None when Stripe does not know it, cannot be
    asked, or it is not paid (raises nothing: the page thanks them all the same)."""
    try:
        session = client.checkout_session_retrieve(session_id)
    except client.StripeUnavailable:
        return None
    if session.get("payment_status") != "paid" or session.get("amount_total") is None:
        return None
    code = (session.get("currency") or "usd").upper()
    money = CURRENCIES.get(code)
    amount = from_minor(session["amount_total"], code)
    paid = money.text(amount) if money else f"{code} {amount}"
    summary = CheckoutSummary(
        paid=paid, foreign=code != "USD", monthly=session.get("mode") == "subscription"
    )
    payment, invoice = session.get("payment_intent"), session.get("invoice")
    if isinstance(payment, dict):
        payment = payment.get("id")
    if isinstance(invoice, dict):
        invoice = invoice.get("id")
    gift = None
    if payment:
        gift = Gift.objects.filter(stripe_payment_id=payment).first()
    elif invoice:
        gift = Gift.objects.filter(stripe_invoice_id=invoice).first()
    if gift is not None:
        summary.recorded = f"US{usd(gift.amount)}" if summary.foreign else usd(gift.amount)
    return summary


def card_update_params(
    *, customer_id: str, subscription_id: str, plan_id: int, return_url: str
) -> dict:
    """A Checkout Session in setup mode: Stripe collects the new card (it never reaches this
    server); the webhook's checkout.session.completed makes it the subscription's card."""
    metadata = {"purpose": "card_update", "subscription": subscription_id, "plan": str(plan_id)}
    joiner = "&" if "?" in return_url else "?"
    return {
        "mode": "setup",
        "customer": customer_id,
        "payment_method_types": ["card"],
        "success_url": f"{return_url}{joiner}updated=1",
        "cancel_url": return_url,
        "metadata": metadata,
        "setup_intent_data": {"metadata": metadata},
    }


def card_update_url(plan, *, return_url: str) -> str:
    """Where to send a donor to give a new card for their monthly ``plan`` (a RecurringPlan
    with a Stripe subscription): a Checkout Session in setup mode for the subscription's
    customer. Raises StripeUnavailable (Stripe not configured or unreachable) and ValueError
    (a plan without a subscription)."""
    if not plan.stripe_subscription_id:
        raise ValueError("This plan is not a Stripe subscription: there is no card to update.")
    subscription = client.subscription_retrieve(plan.stripe_subscription_id)
    customer = subscription.get("customer")
    customer_id = customer.get("id") if isinstance(customer, dict) else customer
    session = client.checkout_session_create(
        card_update_params(
            customer_id=customer_id,
            subscription_id=plan.stripe_subscription_id,
            plan_id=plan.pk,
            return_url=return_url,
        )
    )
    url = session.get("url")
    if not url:
        raise client.StripeUnavailable("Stripe returned a Checkout Session without a URL")
    return url
