"""The deductible part of a payment: the insubstantial-benefit rules of SPEC ("Receipt rules",
IRS Publication 1771) as pure functions over Decimal, and the figures a receipt states for a gift.

They live in donors, below the apps that state them: compliance prints them on receipts and
statements, events in ticket confirmations, and both must say the same amounts. The year's
limits are kept in compliance's BenefitLimit table; compliance hands its lookup to
``benefit_limits_source`` when it loads (ComplianceConfig.ready), so nothing here imports it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, F, Q, Value, When
from django.db.models.functions import Cast, Greatest, Least

from donors.money import kept as kept_of

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
    return payment_figures(
        amount=amount,
        amount_refunded=amount_refunded,
        benefit_value=benefit_value,
        benefit_declined=benefit_declined,
        limits=limits,
        low_cost_article=low_cost_article,
    ).deductible_amount


def deductible_part(*, payment: Decimal, benefit: Decimal) -> Decimal:
    """The deductible part of a payment with a benefit: the payment less the benefit that
    counts (``effective_benefit``), never below zero. The one place this is computed."""
    return max(exact_money(payment) - exact_money(benefit), ZERO)


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


def _no_years() -> frozenset[int]:
    return frozenset()


_years_source: Callable[[], frozenset[int]] = _no_years


def benefit_limits_source(
    lookup: Callable[[int], BenefitLimits | None],
    years: Callable[[], frozenset[int]] = _no_years,
) -> None:
    """Set where the year's limits are read (compliance registers its BenefitLimit table):
    ``lookup`` gives one year's limits, ``years`` every year that has them (one query)."""
    global _limits_source, _years_source
    _limits_source = lookup
    _years_source = years


def benefit_limits_for(year: int) -> BenefitLimits | None:
    return _limits_source(year)


def benefit_limit_years() -> frozenset[int]:
    """The years whose limits are recorded (one query: a page reads it once for all rows)."""
    return _years_source()


def missing_limits_warning(year: int) -> str:
    """What staff are told wherever a gift of a year with no limits shows: the one wording."""
    return (
        f"No insubstantial-benefit limits for {year}: no benefit on a {year} gift is "
        "disregarded (receipts state its full value) until the year's IRS figures are added "
        "under Receipts and compliance > Insubstantial-benefit limits."
    )


def payment_figures(
    *,
    amount: Decimal,
    amount_refunded: Decimal = ZERO,
    benefit_value: Decimal = ZERO,
    benefit_declined: bool = False,
    limits: BenefitLimits | None = None,
    low_cost_article: bool = False,
) -> GiftFigures:
    """What a receipt states for one payment: kept, refunded, the benefit that counts, and the
    deductible part."""
    kept = kept_of(amount, amount_refunded)
    benefit = effective_benefit(
        payment=kept,
        benefit_value=benefit_value,
        benefit_declined=benefit_declined,
        limits=limits,
        low_cost_article=low_cost_article,
    )
    return GiftFigures(
        kept, exact_money(amount_refunded), benefit, deductible_part(payment=kept, benefit=benefit)
    )


def gift_figures(gift, limits: BenefitLimits | None | object = ...) -> GiftFigures:
    """The amounts a receipt for this gift states today (kept, benefit, deductible), with the
    limits of its tax year (or ``limits``, when the caller has read them already)."""
    if limits is ...:
        limits = benefit_limits_for(gift.tax_date.year)
    return payment_figures(
        amount=gift.amount,
        amount_refunded=gift.amount_refunded,
        benefit_value=gift.benefit_value,
        benefit_declined=gift.benefit_declined,
        limits=limits,
        low_cost_article=gift.benefit_is_low_cost_article,
    )


def ticket_figures(*, price: Decimal, benefit_value: Decimal, day: datetime.date) -> GiftFigures:
    """What a receipt would state for one ticket bought at ``price`` on ``day``: the event
    page and the checkout say the same as the receipt and the confirmation email."""
    return payment_figures(
        amount=price, benefit_value=benefit_value, limits=benefit_limits_for(day.year)
    )


# The same rules in the database, for reports that sum the deductible part of many gifts
# (compliance's annual summary): a gift queryset annotated with ``kept`` (money_rules.KEPT).
_DECIMAL = DecimalField(max_digits=14, decimal_places=2)


def money_value(value) -> Cast:
    """An amount as an SQL decimal: a cast, not a bare parameter, since SQLite compares a
    Decimal parameter as text."""
    return Cast(Value(str(exact_money(value))), _DECIMAL)


def effective_benefit_expression(limits: BenefitLimits | None, *, kept: str = "kept") -> Case:
    """``effective_benefit`` over gifts annotated with ``kept``."""
    disregarded = Q(benefit_declined=True) | Q(benefit_value__lte=0)
    if limits is not None:
        disregarded |= Q(
            benefit_is_low_cost_article=True,
            benefit_value__lte=money_value(limits.low_cost_article_max),
            **{f"{kept}__gte": money_value(limits.low_cost_article_min_payment)},
        )
        percent = Cast(
            Value(str(limits.benefit_percent)), DecimalField(max_digits=6, decimal_places=4)
        )
        cap = Least(F(kept) * percent, money_value(limits.benefit_cap))
        disregarded |= Q(benefit_value__lte=cap)
    return Case(
        When(disregarded, then=money_value(ZERO)), default=F("benefit_value"), output_field=_DECIMAL
    )


def deductible_part_expression(payment, benefit) -> Greatest:
    """``deductible_part`` in the database."""
    return Greatest(payment - benefit, money_value(ZERO), output_field=_DECIMAL)
