"""The deductible part of a payment: the insubstantial-benefit rules of SPEC ("Receipt rules",
IRS Publication 1771) as pure functions over Decimal, and the figures a receipt states for a gift.

They live in donors, below the apps that state them: compliance prints them on receipts and
statements, events in ticket confirmations, and both must say the same amounts. The year's
limits are kept in compliance's BenefitLimit table; compliance hands its lookup to
``benefit_limits_source`` when it loads (ComplianceConfig.ready), so nothing here imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BenefitLimits:
    """One year's IRS limits for insubstantial benefits (Rev. Proc. of the year before)."""

    year: int
    low_cost_article_max: Decimal  # 2025: $13.60
    low_cost_article_min_payment: Decimal  # 2025: $68
    benefit_cap: Decimal  # 2025: $136
    benefit_percent: Decimal = Decimal("0.02")


def exact_money(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("the receipt rules refuse float: pass a Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def benefit_is_insubstantial(
    *,
    payment: Decimal,
    benefit_value: Decimal,
    limits: BenefitLimits | None,
    low_cost_article: bool = False,
) -> bool:
    """Whether the IRS lets the benefit be disregarded that year (Publication 1771).

    With no limits recorded for the year nothing is disregarded: the receipt then states the
    benefit, which is never wrong, only less generous.
    """
    payment, benefit_value = exact_money(payment), exact_money(benefit_value)
    if benefit_value <= 0:
        return True
    if limits is None:
        return False
    if (
        low_cost_article
        and benefit_value <= limits.low_cost_article_max
        and payment >= limits.low_cost_article_min_payment
    ):
        return True
    cap = min(exact_money(payment * limits.benefit_percent), limits.benefit_cap)
    return benefit_value <= cap


def effective_benefit(
    *,
    payment: Decimal,
    benefit_value: Decimal,
    benefit_declined: bool,
    limits: BenefitLimits | None,
    low_cost_article: bool = False,
) -> Decimal:
    """The value received that reduces the deduction: zero when declined or insubstantial."""
    if benefit_declined:
        return ZERO
    if benefit_is_insubstantial(
        payment=payment,
        benefit_value=benefit_value,
        limits=limits,
        low_cost_article=low_cost_article,
    ):
        return ZERO
    return exact_money(benefit_value)


def deductible_amount(
    *,
    amount: Decimal,
    amount_refunded: Decimal = ZERO,
    benefit_value: Decimal = ZERO,
    benefit_declined: bool = False,
    limits: BenefitLimits | None = None,
    low_cost_article: bool = False,
) -> Decimal:
    """The payment kept, less the value of what the donor received (never below zero).

    Each payment is judged on its own: payments are never added up to reach a threshold.
    """
    kept = exact_money(amount) - exact_money(amount_refunded)
    benefit = effective_benefit(
        payment=kept,
        benefit_value=benefit_value,
        benefit_declined=benefit_declined,
        limits=limits,
        low_cost_article=low_cost_article,
    )
    return max(kept - benefit, ZERO)


@dataclass(frozen=True)
class GiftFigures:
    amount: object
    amount_refunded: object
    benefit_value: object
    deductible_amount: object


def _no_limits(year: int) -> BenefitLimits | None:
    return None


# With no source (compliance not loaded) no limits are known: nothing is disregarded, which
# states the benefit in full, never wrong, only less generous.
_limits_source: Callable[[int], BenefitLimits | None] = _no_limits


def benefit_limits_source(lookup: Callable[[int], BenefitLimits | None]) -> None:
    """Set where the year's limits are read (compliance registers its BenefitLimit table)."""
    global _limits_source
    _limits_source = lookup


def benefit_limits_for(year: int) -> BenefitLimits | None:
    return _limits_source(year)


def gift_figures(gift) -> GiftFigures:
    """The amounts a receipt for this gift states today (kept, benefit, deductible)."""
    limits = benefit_limits_for(gift.tax_date.year)
    kept = exact_money(gift.amount) - exact_money(gift.amount_refunded)
    benefit = effective_benefit(
        payment=kept,
        benefit_value=gift.benefit_value,
        benefit_declined=gift.benefit_declined,
        limits=limits,
        low_cost_article=gift.benefit_is_low_cost_article,
    )
    deductible = deductible_amount(
        amount=gift.amount,
        amount_refunded=gift.amount_refunded,
        benefit_value=gift.benefit_value,
        benefit_declined=gift.benefit_declined,
        limits=limits,
        low_cost_article=gift.benefit_is_low_cost_article,
    )
    return GiftFigures(kept, exact_money(gift.amount_refunded), benefit, deductible)
