"""Pure rules about gifts, tested without the database.

The tax date decides the donor's tax year (SPEC "Receipt rules"): a card charge's date in the
donor's time zone (the organization's when unknown), never the UTC date; a mailed check's
postmark, else the date received (``date_received``, or the gift date, which for a check is the
day it arrived); stock the day it reaches the account.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal

from donors.models.donor import DonorKind
from donors.models.gift import GiftMethod, GiftStatus

_PROCESSED = {GiftMethod.CARD, GiftMethod.ACH}
# Built once: the import checks 100,000 gifts with gift_problems.
_UNREFUNDED_STATUSES = frozenset({GiftStatus.SUCCEEDED, GiftStatus.PENDING, GiftStatus.FAILED})
_NON_CASH = frozenset({GiftMethod.STOCK, GiftMethod.IN_KIND})
_EMPLOYERS = frozenset({DonorKind.COMPANY, DonorKind.FOUNDATION})
_A_DAY = datetime.timedelta(days=1)
_A_NUMBER = re.compile(r"\d")


def local_date(moment: datetime.datetime, time_zone: str) -> datetime.date:
    if moment.tzinfo is None:
        raise ValueError("a processor timestamp must carry its time zone")
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def tax_date_for(
    *,
    method: str,
    gift_date: datetime.date,
    postmark_date: datetime.date | None = None,
    date_received: datetime.date | None = None,
    charged_at: datetime.datetime | None = None,
    time_zone: str,
) -> datetime.date:
    if method in _PROCESSED and charged_at is not None:
        return local_date(charged_at, time_zone)
    if method == GiftMethod.CHECK and postmark_date is not None:
        return postmark_date
    if method in {GiftMethod.CHECK, GiftMethod.STOCK} and date_received is not None:
        return date_received
    return gift_date


def _described_stock(gift) -> bool:
    """A stock gift recorded by its description alone ("100 shares of Example Corp"): no
    shares nor issuer apart, and a description that states the number of shares (receipts
    print it as the record of the property)."""
    return (
        gift.stock_shares is None
        and not gift.stock_issuer.strip()
        and _A_NUMBER.search(gift.non_cash_description) is not None
    )


def gift_problems(gift, *, donor_kind: str | None, today: datetime.date) -> dict[str, str]:
    """What is wrong with a gift's fields, in words staff understand; empty when nothing is.

    Reads only the gift's own attributes, so it runs on unsaved gifts and without the database.
    """
    problems: dict[str, str] = {}
    amount = gift.amount
    if amount is not None:
        if amount <= 0:
            problems["amount"] = "The amount must be more than zero."
        elif gift.amount_refunded is not None and gift.amount_refunded > amount:
            problems["amount_refunded"] = "More cannot be refunded than was given."
        if gift.benefit_value and gift.benefit_value > amount:
            problems["benefit_value"] = "The value received cannot be more than the payment."
        if gift.fee is not None and gift.fee > amount:
            problems["fee"] = "The fee cannot be more than the payment."
    if gift.amount_refunded is not None and gift.amount_refunded < 0:
        problems["amount_refunded"] = "A refund cannot be negative."
    if gift.benefit_value is not None and gift.benefit_value < 0:
        problems["benefit_value"] = "The value received cannot be negative."
    if gift.fee is not None and gift.fee < 0:
        problems["fee"] = "The fee cannot be negative."
    if bool(gift.original_currency) != (gift.original_amount is not None) or (
        gift.original_amount is not None and gift.original_amount <= 0
    ):
        problems["original_amount"] = (
            "A payment in another currency has both its original amount (more than zero) and "
            "its currency."
        )
    refunded = gift.amount_refunded or 0
    # setdefault: "more than was given" is the more useful message when both apply.
    if gift.status == GiftStatus.REFUNDED and amount is not None and refunded != amount:
        problems.setdefault("amount_refunded", "A refunded gift has its whole amount refunded.")
    if gift.status == GiftStatus.PARTIALLY_REFUNDED and not (0 < refunded < (amount or 0)):
        problems.setdefault(
            "amount_refunded", "A partial refund is more than zero and less than the gift."
        )
    if refunded and gift.status in _UNREFUNDED_STATUSES:
        problems["status"] = "A gift with money refunded is refunded or partially refunded."

    if gift.gift_date and gift.gift_date > today + _A_DAY:
        problems["gift_date"] = "The gift date is in the future; record a pledge instead."
    if gift.check_number and gift.method != GiftMethod.CHECK:
        problems["check_number"] = "Only checks have a check number."
    if gift.postmark_date:
        received = gift.date_received or gift.gift_date
        if gift.method != GiftMethod.CHECK:
            problems["postmark_date"] = "Only mailed checks have a postmark date."
        elif received and gift.postmark_date > received:
            problems["postmark_date"] = "The postmark cannot be later than the date received."
    if gift.date_received and gift.date_deposited and gift.date_deposited < gift.date_received:
        problems["date_deposited"] = "A gift cannot be deposited before it was received."

    if gift.method == GiftMethod.STOCK and not _described_stock(gift):
        if not gift.stock_shares or gift.stock_shares <= 0:
            problems["stock_shares"] = "A stock gift needs the number of shares."
        if not gift.stock_issuer.strip():
            problems["stock_issuer"] = "A stock gift needs the issuer (company or fund)."
    if gift.method == GiftMethod.IN_KIND and not gift.non_cash_description.strip():
        problems["non_cash_description"] = "Describe the in-kind gift (receipts print no value)."
    if gift.stock_shares and gift.method not in _NON_CASH:
        problems["stock_shares"] = "Only stock gifts have shares."

    if donor_kind is not None:
        if gift.method == GiftMethod.DAF_GRANT and donor_kind != DonorKind.DAF_SPONSOR:
            problems["donor"] = (
                "A DAF grant comes from the fund's sponsor; credit the advisor as a soft credit."
            )
        if gift.method == GiftMethod.GLOBALGIVING and donor_kind != DonorKind.PLATFORM:
            problems["donor"] = "A GlobalGiving payout comes from the GlobalGiving platform donor."
        if gift.method == GiftMethod.EMPLOYER_MATCH and donor_kind not in _EMPLOYERS:
            problems["donor"] = (
                "An employer match comes from the employer; credit the employee as a soft credit."
            )
    if gift.method == GiftMethod.DAF_GRANT and gift.benefit_value and not gift.benefit_declined:
        problems["benefit_value"] = "No goods or services may be given against DAF money."
    if gift.tribute_kind and not gift.tribute_name.strip():
        problems["tribute_name"] = "Name the person the gift honors or remembers."
    if gift.tribute_name and not gift.tribute_kind:
        problems["tribute_kind"] = "Choose in honor or in memory."
    if gift.tribute_notify_email and not gift.tribute_kind:
        problems["tribute_notify_email"] = "A tribute notification needs a tribute."
    return problems


def may_keep_goals(user, member) -> bool:
    """Staff keep every board member's goals; a board member keeps only their own (the rule
    of the admin's goal pages and of the member's own page)."""
    if user.has_perm("donors.change_boardgoal"):
        return True
    return (
        user.has_perm("donors.change_own_boardgoal")
        and member is not None
        and member.user_id is not None
        and member.user_id == user.pk
    )


def may_keep_ask(user, ask) -> bool:
    """Staff keep every ask; a board member keeps (moves, edits) only the asks assigned to
    their own seat."""
    if user.has_perm("donors.change_ask"):
        return True
    member = ask.member if ask is not None and ask.member_id else None
    return (
        user.has_perm("donors.change_own_ask")
        and member is not None
        and member.user_id is not None
        and member.user_id == user.pk
    )


def may_keep_task(user, task) -> bool:
    """Staff keep every task; anyone else the tasks they own (marking them done)."""
    if user.has_perm("donors.change_task"):
        return True
    return task is not None and task.owner_id is not None and task.owner_id == user.pk


# Property claimed at more than this needs Form 8283 Section B, signed by the charity (Part V).
FORM_8283_SECTION_B_OVER = Decimal("5000")


def property_problems(record, *, non_cash: bool, received: datetime.date | None) -> dict[str, str]:
    """What is wrong with a property gift's Form 8283 and disposal fields (PropertyRecord),
    in words staff understand; empty when nothing is. ``received``: the day the charity
    received the property."""
    problems: dict[str, str] = {}
    if not non_cash:
        problems["__all__"] = (
            "Only stock and in-kind gifts are gifts of property: change the gift's method "
            "back, or delete its Forms 8283 and 8282 record."
        )
    signed, signer = record.form_8283_signed_on, record.form_8283_signer.strip()
    if signed and not signer:
        problems["form_8283_signer"] = "Name who signed Form 8283 for the charity."
    if signer and not signed:
        problems["form_8283_signed_on"] = "Give the date the charity signed Form 8283."
    if (signed or signer) and not record.form_8283_presented:
        problems["form_8283_presented"] = (
            "A Form 8283 the charity signed was presented: tick Form 8283 presented."
        )
    if signed and received and signed < received:
        problems["form_8283_signed_on"] = (
            f"Form 8283 cannot be signed before the property was received ({received:%B %-d, %Y})."
        )
    disposed = record.disposed_on
    if disposed and received and disposed < received:
        problems["disposed_on"] = (
            f"The property cannot be sold or disposed of before it was received "
            f"({received:%B %-d, %Y})."
        )
    if disposed and record.disposal_amount is None:
        problems["disposal_amount"] = "Give the amount received on disposal (0 if none)."
    if record.disposal_amount is not None and not disposed:
        problems["disposed_on"] = "Give the date the property was sold or disposed of."
    for field in ("appraised_value", "disposal_amount"):
        if getattr(record, field) is not None and getattr(record, field) < 0:
            problems[field] = "An amount cannot be negative."
    return problems
