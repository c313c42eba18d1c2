"""The money rules, each written once: which statuses count, what was kept, how a soft credit
follows its gift's refunds, a gift's channel, a pledge's balance and its schedule.

Each rule is given here in the forms its callers need: a Python function (one gift, no
database), an ORM expression (sums and filters in the database) and, where triggers need it,
SQL text. The forms are derived from one definition each, so they cannot drift; tests compare
them on generated gifts (tests/donors/test_money_rules.py, test_month_totals.py).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Func, Q, Value, When
from django.db.models.functions import Round

from donors.models.campaign import Channel
from donors.models.gift import COUNTED_STATUSES, NON_CASH_METHODS, GiftMethod
from donors.models.organization import Organization
from donors.models.pledge import PledgeStatus
from donors.money import ZERO, MoneyField, kept, money

_MONEY = MoneyField()

# --- Counted statuses -------------------------------------------------------------------------
# COUNTED_STATUSES (donors.models.gift) are the statuses whose money the organization keeps:
# succeeded and partially refunded. Everything that adds money up filters on them.


def is_counted(status: str) -> bool:
    return status in COUNTED_STATUSES


def counted_q(prefix: str = "") -> Q:
    """The gifts (``prefix`` for a related gift: ``"gift__"``) whose money counts."""
    return Q(**{f"{prefix}status__in": COUNTED_STATUSES})


def _sql_text(value: str) -> str:
    # Only the choices' fixed values are written into SQL text (triggers take no parameters).
    if "'" in value:
        raise ValueError(f"{value!r} cannot be written into SQL text")
    return f"'{value}'"


def counted_sql(row: str) -> str:
    """``counted_q`` as SQL over a row alias (a trigger's NEW/OLD, a table alias)."""
    return f"{row}.status IN ({', '.join(_sql_text(s) for s in COUNTED_STATUSES)})"


# --- Kept money -------------------------------------------------------------------------------


def gift_kept(gift) -> Decimal:
    return kept(gift.amount, gift.amount_refunded)


def kept_expression(prefix: str = "") -> ExpressionWrapper:
    """``kept`` in the database (``prefix`` for a related gift: ``"gift__"``)."""
    return ExpressionWrapper(
        F(f"{prefix}amount") - F(f"{prefix}amount_refunded"), output_field=_MONEY
    )


KEPT = kept_expression()


def kept_sql(row: str) -> str:
    return f"({row}.amount - {row}.amount_refunded)"


# --- Soft credits follow refunds ----------------------------------------------------------------


def soft_credit_kept(credit_amount, gift_amount, gift_amount_refunded) -> Decimal:
    """What a soft credit counts for once its gift was (partly) refunded: proportionally, the
    credit × kept ÷ amount, in cents. A credit of the whole gift counts what was kept; a
    credit of half the gift counts half of what was kept; a fully refunded gift (kept 0)
    counts nothing. Only gifts of counted statuses count at all (``counted_q("gift__")``).
    """
    gift_amount = money(gift_amount)
    if gift_amount <= 0:
        return ZERO
    return money(money(credit_amount) * kept(gift_amount, gift_amount_refunded) / gift_amount)


class _Proportion(Func):
    """a × b ÷ c in decimals: on SQLite whole amounts are stored as integers, and integers
    divide as integers there (the 1.0 makes it a decimal division on both databases)."""

    def as_sql(self, compiler, connection, **extra):
        parts = [compiler.compile(e) for e in self.get_source_expressions()]
        (a, pa), (b, pb), (c, pc) = parts
        return f"(({a}) * 1.0 * ({b}) / ({c}))", [*pa, *pb, *pc]


def soft_credit_kept_expression(prefix: str = "") -> Round:
    """``soft_credit_kept`` over SoftCredit rows (``prefix`` to reach the credit from another
    model), rounded to cents per credit as in Python."""
    return Round(
        _Proportion(
            F(f"{prefix}amount"),
            kept_expression(f"{prefix}gift__"),
            F(f"{prefix}gift__amount"),
            output_field=_MONEY,
        ),
        2,
        output_field=_MONEY,
    )


# --- Channel ----------------------------------------------------------------------------------
# Every gift falls in exactly one channel, the first whose condition holds (see
# donors.progress for what each means). The rule below is the only copy: channel_of reads it
# in Python, channel_expression turns it into a CASE for the ORM, channel_sql into the SQL the
# month-total triggers run.

DEFAULT_MAJOR_GIFT_THRESHOLD = Decimal("1000.00")


class _Condition:
    def holds(self, gift: Mapping, threshold: Decimal) -> bool:  # pragma: no cover
        raise NotImplementedError

    def q(self, prefix: str, threshold: Decimal) -> Q:  # pragma: no cover
        raise NotImplementedError

    def sql(self, row: str, threshold_sql: str) -> str:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class _OneOf(_Condition):
    field: str
    values: tuple[str, ...]

    def holds(self, gift, threshold):
        return gift[self.field] in self.values

    def q(self, prefix, threshold):
        return Q(**{f"{prefix}{self.field}__in": list(self.values)})

    def sql(self, row, threshold_sql):
        return f"{row}.{self.field} IN ({', '.join(_sql_text(v) for v in self.values)})"


@dataclass(frozen=True)
class _Positive(_Condition):
    field: str

    def holds(self, gift, threshold):
        return gift[self.field] > 0

    def q(self, prefix, threshold):
        return Q(**{f"{prefix}{self.field}__gt": 0})

    def sql(self, row, threshold_sql):
        return f"{row}.{self.field} > 0"


@dataclass(frozen=True)
class _IsTrue(_Condition):
    field: str

    def holds(self, gift, threshold):
        return bool(gift[self.field])

    def q(self, prefix, threshold):
        return Q(**{f"{prefix}{self.field}": True})

    def sql(self, row, threshold_sql):
        return f"{row}.{self.field}"


@dataclass(frozen=True)
class _NotBlank(_Condition):
    field: str

    def holds(self, gift, threshold):
        return bool(gift[self.field])

    def q(self, prefix, threshold):
        return ~Q(**{f"{prefix}{self.field}": ""})

    def sql(self, row, threshold_sql):
        return f"{row}.{self.field} <> ''"


@dataclass(frozen=True)
class _AtLeastThreshold(_Condition):
    field: str

    def holds(self, gift, threshold):
        return gift[self.field] >= threshold

    def q(self, prefix, threshold):
        return Q(**{f"{prefix}{self.field}__gte": threshold})

    def sql(self, row, threshold_sql):
        return f"{row}.{self.field} >= {threshold_sql}"


@dataclass(frozen=True)
class _Any(_Condition):
    parts: tuple[_Condition, ...]

    def holds(self, gift, threshold):
        return any(p.holds(gift, threshold) for p in self.parts)

    def q(self, prefix, threshold):
        result = Q()
        for p in self.parts:
            result |= p.q(prefix, threshold)
        return result

    def sql(self, row, threshold_sql):
        return "(" + " OR ".join(p.sql(row, threshold_sql) for p in self.parts) + ")"


@dataclass(frozen=True)
class _All(_Condition):
    parts: tuple[_Condition, ...]

    def holds(self, gift, threshold):
        return all(p.holds(gift, threshold) for p in self.parts)

    def q(self, prefix, threshold):
        result = Q()
        for p in self.parts:
            result &= p.q(prefix, threshold)
        return result

    def sql(self, row, threshold_sql):
        return "(" + " AND ".join(p.sql(row, threshold_sql) for p in self.parts) + ")"


ONLINE_METHODS = (GiftMethod.CARD.value, GiftMethod.ACH.value)

CHANNEL_RULE: tuple[tuple[str, _Condition], ...] = (
    (Channel.GLOBALGIVING.value, _OneOf("method", (GiftMethod.GLOBALGIVING.value,))),
    # A payment that bought something: the organization's only sales are event tickets.
    (Channel.EVENTS.value, _Any((_Positive("benefit_value"), _IsTrue("benefit_declined")))),
    (Channel.MAJOR.value, _AtLeastThreshold("amount")),
    (Channel.ONLINE.value, _All((_OneOf("method", ONLINE_METHODS), _NotBlank("processor")))),
    (Channel.CHECKS.value, _OneOf("method", (GiftMethod.CHECK.value,))),
)
CHANNEL_OTHERWISE = Channel.OTHER.value


def channel_of(
    *,
    method: str,
    processor: str,
    amount: Decimal,
    benefit_value: Decimal,
    benefit_declined: bool,
    major_threshold: Decimal,
) -> str:
    """The channel of one gift."""
    gift = {
        "method": method,
        "processor": processor,
        "amount": amount,
        "benefit_value": benefit_value,
        "benefit_declined": benefit_declined,
    }
    for channel, condition in CHANNEL_RULE:
        if condition.holds(gift, major_threshold):
            return channel
    return CHANNEL_OTHERWISE


def channel_expression(major_threshold: Decimal, prefix: str = "") -> Case:
    """``channel_of`` as a CASE expression over Gift (``prefix`` for a related gift)."""
    return Case(
        *(
            When(condition.q(prefix, major_threshold), then=Value(channel))
            for channel, condition in CHANNEL_RULE
        ),
        default=Value(CHANNEL_OTHERWISE),
        output_field=models.CharField(),
    )


def major_threshold_sql() -> str:
    """The major-gift threshold as the database reads it: from the organization profile's row
    (the table holds one row at most), the default when there is none yet."""
    return (
        f"COALESCE((SELECT major_gift_threshold FROM {Organization._meta.db_table} LIMIT 1), "
        f"{DEFAULT_MAJOR_GIFT_THRESHOLD})"
    )


def channel_sql(row: str) -> str:
    """``channel_of`` as SQL over a row alias, the threshold read from the profile's row."""
    threshold = major_threshold_sql()
    whens = " ".join(
        f"WHEN {condition.sql(row, threshold)} THEN {_sql_text(channel)}"
        for channel, condition in CHANNEL_RULE
    )
    return f"CASE {whens} ELSE {_sql_text(CHANNEL_OTHERWISE)} END"


def major_threshold_of(organization) -> Decimal:
    return organization.major_gift_threshold if organization else DEFAULT_MAJOR_GIFT_THRESHOLD


# --- Cash or property -------------------------------------------------------------------------
# What a donor's statement calls each gift: cash (money in any form: check, card, bank transfer,
# wire, a grant or match paid in money) or property (stock and in-kind gifts, listed without a
# value). From tax year 2026 donors ask which of their gifts were cash; every document answers
# from this one rule, in these neutral words (no tax advice).

CASH = "cash"
PROPERTY = "property"
CASH_GIFTS_LABEL = "Cash gifts (including check, card and bank transfer)"
PROPERTY_GIFTS_LABEL = "Property gifts (stock and in-kind, listed without a value)"


def gift_form_of(method: str) -> str:
    """``CASH`` or ``PROPERTY`` for a gift's method."""
    return PROPERTY if method in NON_CASH_METHODS else CASH


def is_cash(method: str) -> bool:
    return gift_form_of(method) == CASH


def cash_q(prefix: str = "") -> Q:
    """The cash gifts (``prefix`` for a related gift: ``"gift__"``)."""
    return ~Q(**{f"{prefix}method__in": sorted(NON_CASH_METHODS)})


# --- Pledges ----------------------------------------------------------------------------------


def pledge_balance(pledge_amount, paid) -> Decimal:
    """What is left to pay on a pledge: its amount less the kept money of its counted
    payments (``pledge_paid``/``pledges_with_balance`` in donors.selectors sum them)."""
    return money(pledge_amount) - money(paid)


def pledge_balance_expression(amount: str = "amount", paid: str = "paid") -> ExpressionWrapper:
    """``pledge_balance`` over a Pledge annotated with ``paid``."""
    return ExpressionWrapper(F(amount) - F(paid), output_field=_MONEY)


def installments_problem(pledge_amount, amounts: Iterable) -> str | None:
    """A schedule adds up to its pledge (no schedule at all is fine)."""
    amounts = [money(a) for a in amounts]
    if not amounts or pledge_amount is None:
        return None
    total = money(sum(amounts, ZERO))
    if total != money(pledge_amount):
        return (
            f"The installments add up to ${total:,.2f}, "
            f"not the pledge's ${money(pledge_amount):,.2f}."
        )
    return None


_ON_BEHALF = frozenset({GiftMethod.DAF_GRANT, GiftMethod.EMPLOYER_MATCH})


class PledgeProblem(enum.Enum):
    """Why a payment cannot go toward a pledge (each caller says it in its own words: the
    gift form to staff, the import report by row and pledge id)."""

    OTHER_DONOR = "other donor"
    CANCELLED = "cancelled"
    OVER_BALANCE = "over balance"


def pledge_payment_problem(
    *, pledge_donor_id, pledge_status: str, balance: Decimal, donor_id, method: str, amount
) -> PledgeProblem | None:
    """The checks a payment toward a pledge passes; None when it may. ``balance`` is what the
    pledge has left to pay without this payment. A DAF grant or an employer match may pay
    another donor's pledge (the advisor's, the employee's)."""
    if pledge_donor_id != donor_id and method not in _ON_BEHALF:
        return PledgeProblem.OTHER_DONOR
    if pledge_status == PledgeStatus.CANCELLED:
        return PledgeProblem.CANCELLED
    if amount > balance:
        return PledgeProblem.OVER_BALANCE
    return None
