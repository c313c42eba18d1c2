"""The receipt rules of SPEC ("Receipt rules") as pure functions over Decimal.

Nothing here touches the database: the callers (compliance.services) read the gift and the
year's limits and pass plain values, so every rule is tested on its own with exact amounts.
Sources: IRC 170(f)(8) and 6115, IRS Publications 1771 and 526.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from donors.deductible import BenefitLimits, benefit_is_insubstantial, exact_money
from donors.money import ZERO, money, usd
from donors.money_rules import CASH_GIFTS_LABEL, PROPERTY_GIFTS_LABEL, is_cash
from donors.rules import FORM_8283_SECTION_B_OVER, tax_date_for

QUID_PRO_QUO_THRESHOLD = Decimal("75.00")
WRITTEN_ACKNOWLEDGMENT_THRESHOLD = Decimal("250.00")

NO_GOODS_OR_SERVICES = "No goods or services were provided in exchange for this contribution."


class Recipient:
    """Who the organization's acknowledgment is addressed to; NOBODY means none is issued."""

    DONOR = "donor"
    DAF_SPONSOR = "daf_sponsor"
    EMPLOYER = "employer"
    GLOBALGIVING = "globalgiving"
    NOBODY = "nobody"


class Kind:
    """What a record is, for the receipt rules: only a payment can be receipted."""

    PAYMENT = "payment"
    SOFT_CREDIT = "soft_credit"
    UNPAID_PLEDGE = "unpaid_pledge"
    RAFFLE_TICKET = "raffle_ticket"
    VOLUNTEER_TIME = "volunteer_time"


@dataclass(frozen=True)
class Receiptability:
    recipient: str
    reason: str

    @property
    def receiptable(self) -> bool:
        return self.recipient != Recipient.NOBODY


def receipt_recipient(
    *,
    kind: str = Kind.PAYMENT,
    method: str,
    status: str,
    donor_kind: str,
) -> Receiptability:
    """Whether the organization acknowledges a record as a tax receipt, and to whom."""
    not_ours = {
        Kind.SOFT_CREDIT: "Soft credits are recognition, never anyone's tax receipt.",
        Kind.UNPAID_PLEDGE: "A pledge is receipted only as its payments arrive.",
        Kind.RAFFLE_TICKET: "Raffle tickets are a chance to win, not a contribution.",
        Kind.VOLUNTEER_TIME: "Volunteer time is not a deductible contribution.",
    }
    if kind in not_ours:
        return Receiptability(Recipient.NOBODY, not_ours[kind])
    if kind != Kind.PAYMENT:
        raise ValueError(f"unknown kind {kind!r}")
    if status in ("refunded", "failed"):
        return Receiptability(Recipient.NOBODY, f"A {status} payment is not a contribution.")
    if status == "pending":
        return Receiptability(Recipient.NOBODY, "The payment has not arrived yet.")
    if status == "disputed":
        return Receiptability(Recipient.NOBODY, "The payment is disputed: wait for the outcome.")
    if status not in ("succeeded", "partially_refunded"):
        raise ValueError(f"unknown status {status!r}")
    if method == "globalgiving":
        # GlobalGiving receipts its own donors; the organization acknowledges the grant.
        return Receiptability(Recipient.GLOBALGIVING, "GlobalGiving's grant, acknowledged to it.")
    if method == "daf_grant":
        if donor_kind != "daf_sponsor":
            return Receiptability(Recipient.NOBODY, "A DAF grant must come from the fund sponsor.")
        return Receiptability(Recipient.DAF_SPONSOR, "Acknowledged to the sponsoring fund.")
    if method == "employer_match":
        if donor_kind not in ("company", "foundation"):
            return Receiptability(Recipient.NOBODY, "A match must come from the employer.")
        return Receiptability(Recipient.EMPLOYER, "Acknowledged to the employer.")
    return Receiptability(Recipient.DONOR, "A payment of the donor's own.")


def quid_pro_quo_required(
    *,
    payment: Decimal,
    benefit_value: Decimal,
    benefit_declined: bool = False,
    limits: BenefitLimits | None = None,
    low_cost_article: bool = False,
) -> bool:
    """IRC 6115: a payment over $75 made partly for goods or services needs the statement."""
    if benefit_declined or exact_money(payment) <= QUID_PRO_QUO_THRESHOLD:
        return False
    return not benefit_is_insubstantial(
        payment=payment,
        benefit_value=benefit_value,
        limits=limits,
        low_cost_article=low_cost_article,
    )


def benefit_statement_printed(*, benefit_value: Decimal, benefit_declined: bool) -> bool:
    """The project prints value and deductible amount for every payment with a benefit, at
    any amount, even where the law would allow silence."""
    return not benefit_declined and exact_money(benefit_value) > 0


def written_acknowledgment_required(*, payment: Decimal) -> bool:
    """IRC 170(f)(8): a single contribution of $250 or more (the project issues one for every
    receiptable gift all the same)."""
    return exact_money(payment) >= WRITTEN_ACKNOWLEDGMENT_THRESHOLD


def non_cash_description(
    *, method: str, description: str, stock_shares: Decimal | None, stock_issuer: str
) -> str:
    """What a non-cash gift was, in words and never with a value (the donor values it)."""
    # A stock gift recorded by its description alone ("100 shares of Example Corp", as an
    # import may give it) is printed in the donor's words, as in-kind gifts are.
    if method == "stock" and (stock_shares or stock_issuer.strip()):
        shares = Decimal(stock_shares or 0).normalize()
        shares_text = f"{shares:f}"
        noun = "share" if shares == 1 else "shares"
        text = f"{shares_text} {noun} of {stock_issuer.strip()}"
        return f"{text} ({description.strip()})" if description.strip() else text
    return description.strip()


def benefits_allowed_against_daf(*, method: str, benefit_value: Decimal, declined: bool) -> bool:
    """No goods or services may be given against DAF money."""
    return method != "daf_grant" or declined or exact_money(benefit_value) == 0


def tax_year(
    *,
    method: str,
    gift_date: datetime.date,
    postmark_date: datetime.date | None = None,
    date_received: datetime.date | None = None,
    charged_at: datetime.datetime | None = None,
    time_zone: str,
) -> int:
    """The donor's tax year: the year of the gift's tax date (donors.rules.tax_date_for)."""
    return tax_date_for(
        method=method,
        gift_date=gift_date,
        postmark_date=postmark_date,
        date_received=date_received,
        charged_at=charged_at,
        time_zone=time_zone,
    ).year


def receipt_number(*, year: int, sequence: int) -> str:
    """``2025-000123``: the year, then the sequence within that year."""
    if sequence < 1:
        raise ValueError("receipt sequences start at 1")
    return f"{year}-{sequence:06d}"


def statement_number(*, year: int, sequence: int) -> str:
    """``2025-S000123``: year-end statements have their own series."""
    if sequence < 1:
        raise ValueError("statement sequences start at 1")
    return f"{year}-S{sequence:06d}"


def donor_initials(name: str) -> str:
    """What the public verification page may say about the donor."""
    skip = {"dr", "drs", "mr", "mrs", "ms", "mx", "prof", "and", "the"}
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha() and w.lower() not in skip]
    return "".join(f"{w[0].upper()}." for w in words[:3]) or "-"


def filing_due_date(fiscal_year_end: datetime.date) -> datetime.date:
    """Form 990 (and NY CHAR500, CA RRF-1): the 15th day of the 5th month after the fiscal
    year ends (a December year end: May 15)."""
    month = fiscal_year_end.month + 5
    year = fiscal_year_end.year + (month - 1) // 12
    return datetime.date(year, (month - 1) % 12 + 1, 15)


REMINDER_DAYS = (30, 7)


def reminders_due(*, due: datetime.date, today: datetime.date, sent: set[int]) -> list[int]:
    """Which reminders (30 and 7 days ahead) fall due today and are not sent yet. A late one
    is still due while the deadline has not passed; when several are, one email covers them."""
    left = (due - today).days
    if left < 0:
        return []
    return [days for days in REMINDER_DAYS if left <= days and days not in sent]


# Form 8282 (Donee Information Return): due 125 days after the charity sells, exchanges or
# otherwise disposes of charitable deduction property within three years of receiving it.
FORM_8282_DAYS = 125
FORM_8282_WINDOW_YEARS = 3


def form_8282_needed(*, form_8283_signed: bool, claimed_value: Decimal) -> bool:
    """Whether the property is "charitable deduction property": the charity signed the donor's
    Form 8283 Section B (Part V), or had to, the deduction claimed being over $5,000."""
    return form_8283_signed or claimed_value > FORM_8283_SECTION_B_OVER


def form_8282_due(*, received: datetime.date, disposed: datetime.date) -> datetime.date | None:
    """The day Form 8282 is due for property disposed of on ``disposed``, or None when the
    disposal falls after the three years that start on ``received`` (the third anniversary
    itself is within them)."""
    if disposed < received or disposed > _years_after(received, FORM_8282_WINDOW_YEARS):
        return None
    return disposed + datetime.timedelta(days=FORM_8282_DAYS)


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 with no such day that year: the window ends March 1
        return datetime.date(day.year + years, 3, 1)


# Cash or property (donors.money_rules decides which): what receipts and statements say, in
# neutral words. A statement's lines carry ``non_cash`` as the rule gave it at issue.


def gift_form_sentence(method: str) -> str:
    """The receipt's sentence saying whether the gift was cash or property."""
    if is_cash(method):
        return "This was a cash gift (including check, card and bank transfer)."
    return "This was a property gift (stock or in-kind), stated without a value."


@dataclass(frozen=True)
class CashAndProperty:
    cash_count: int
    cash_total: Decimal
    cash_deductible: Decimal
    property_count: int


def cash_and_property(lines: list[dict]) -> CashAndProperty:
    """A statement's cash gifts (count, kept total, deductible part) and property gifts."""
    cash = [line for line in lines if not line["non_cash"]]
    return CashAndProperty(
        cash_count=len(cash),
        cash_total=sum((money(line["amount"]) for line in cash), ZERO),
        cash_deductible=sum((money(line["deductible_amount"]) for line in cash), ZERO),
        property_count=len(lines) - len(cash),
    )


def _gifts(count: int) -> str:
    return f"{count} gift" if count == 1 else f"{count} gifts"


def cash_summary_lines(lines: list[dict]) -> list[str]:
    """The statement's two sentences: the cash total, and the property gifts."""
    split = cash_and_property(lines)
    cash = f"{CASH_GIFTS_LABEL}: {usd(split.cash_total)}"
    if split.cash_count:
        cash += (
            f" in {_gifts(split.cash_count)}; deductible part as stated above: "
            f"{usd(split.cash_deductible)}."
        )
    else:
        cash += "."
    prop = f"{PROPERTY_GIFTS_LABEL}: " + (
        f"{_gifts(split.property_count)}." if split.property_count else "none."
    )
    return [cash, prop]
