from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from common.door import service
from donors.hooks import money_changed, property_changed
from donors.models import (
    Donor,
    Gift,
    Organization,
    Pledge,
    PledgeStatus,
    PropertyRecord,
    SoftCredit,
)
from donors.models.base import loaded_relations
from donors.models.gift import COUNTED_STATUSES
from donors.money import money
from donors.rules import tax_date_for
from donors.selectors import pledges_with_balance
from donors.services.asks import asks_close_by_gifts
from donors.services.figures import donor_figures_refresh

# What a gift's receipt states about its money (what was kept, what is deductible): a change
# to any of them on a gift already recorded is handed to the apps that follow money
# (donors.hooks), so a refund, lost dispute or corrected benefit reaches the receipt at once.
MONEY_FIELDS = (
    "amount",
    "amount_refunded",
    "status",
    "benefit_value",
    "benefit_declined",
    "benefit_is_low_cost_article",
)
# What decides the day a gift of property was received (donors.models.property).
RECEIVED_FIELDS = ("method", "gift_date", "date_received")


def _time_zone_for(donor: Donor) -> str:
    if donor.time_zone:
        return donor.time_zone
    org = Organization.current()
    return org.time_zone if org else settings.TIME_ZONE


def _decimal(value, default="0") -> Decimal:
    """A Decimal as given, never rounded: more than two decimals is the caller's error, which
    full_clean() reports ("no more than 2 decimal places"), not something to round away."""
    if value is None or value == "":
        return Decimal(default)
    if isinstance(value, float):
        raise TypeError("an amount refuses float: pass a Decimal, int or str")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{value!r} is not an amount of money.") from None


def _prepare(gift: Gift) -> None:
    """Derive what is never typed: the tax date, the net, empty ids stored as NULL."""
    gift.amount = _decimal(gift.amount)
    gift.amount_refunded = _decimal(gift.amount_refunded)
    gift.benefit_value = _decimal(gift.benefit_value)
    if gift.fee is not None:
        # Always derived, so an edited amount or fee never leaves a stale net behind.
        gift.fee = _decimal(gift.fee)
        gift.net = gift.amount - gift.fee
    if gift.appeal_id is not None and gift.campaign_id is None:
        # A gift answering an appeal, given no campaign, counts toward the appeal's campaign.
        # One given a campaign keeps it, even another than the appeal's (a reply to the spring
        # letter earmarked for the gala): staff's choice stands.
        gift.campaign_id = gift.appeal.campaign_id
    for field in ("stripe_payment_id", "stripe_charge_id", "stripe_invoice_id", "external_id"):
        if getattr(gift, field) == "":
            setattr(gift, field, None)
    if gift.gift_date:
        gift.tax_date = tax_date_for(
            method=gift.method,
            gift_date=gift.gift_date,
            postmark_date=gift.postmark_date,
            date_received=gift.date_received,
            charged_at=gift.charged_at,
            time_zone=_time_zone_for(gift.donor),
        )


@service
def pledges_settle(*, pledge_ids) -> None:
    """A pledge paid in full is fulfilled; one no longer paid in full (a refund, a payment
    moved) is open again. Cancelled pledges stay cancelled."""
    pledge_ids = {p for p in pledge_ids if p}
    if not pledge_ids:
        return  # most gifts pay no pledge: nothing to read
    pledges = pledges_with_balance(
        Pledge.objects.filter(pk__in=pledge_ids).exclude(status=PledgeStatus.CANCELLED)
    )
    for pledge in pledges:
        status = PledgeStatus.FULFILLED if pledge.balance <= 0 else PledgeStatus.OPEN
        if pledge.status != status:
            pledge.status = status
            pledge.save(update_fields=["status"])


@service
@transaction.atomic
def gift_save(*, gift: Gift, refresh_figures: bool = True) -> Gift:
    """Validate and save a new or edited gift, and bring its donors' figures up to date.

    ``refresh_figures=False`` is for bulk loaders that record many gifts and then call
    ``donor_figures_refresh`` once for all the donors they touched.
    """
    previous = (None, None, None)
    if gift.pk:
        previous = (
            Gift.objects.filter(pk=gift.pk)
            .values_list("donor_id", "pledge_id", *RECEIVED_FIELDS, *MONEY_FIELDS)
            .first()
            or previous
        )
    _prepare(gift)
    gift.full_clean(exclude=loaded_relations(gift))
    # Validated to whole cents above; stored as cents so the audit trail sees no false change.
    for field in ("amount", "amount_refunded", "benefit_value", "fee", "net"):
        if getattr(gift, field) is not None:
            setattr(gift, field, money(getattr(gift, field)))
    gift.save()
    if refresh_figures:
        donor_figures_refresh(donor_ids=[gift.donor_id, previous[0]])
    pledges_settle(pledge_ids=[gift.pledge_id, previous[1]])
    # A gift from a prospect closes their open asks: a new gift, or one now counted (a
    # pending payment that succeeded). One query, none for an edit that changes no status.
    status_at = len(RECEIVED_FIELDS) + 2 + MONEY_FIELDS.index("status")
    if previous[0] is None or previous[status_at] not in COUNTED_STATUSES:
        asks_close_by_gifts(gifts=[gift])
    # An existing gift's money changed: the apps that follow it are told once this commits.
    if previous[0] is not None:
        received = len(RECEIVED_FIELDS) + 2
        if tuple(previous[received:]) != tuple(getattr(gift, field) for field in MONEY_FIELDS):
            money_changed(gift_id=gift.pk)
        # A property gift received on another day has another Form 8282 window.
        if (
            tuple(previous[2:received]) != tuple(getattr(gift, field) for field in RECEIVED_FIELDS)
            and PropertyRecord.objects.filter(gift_id=gift.pk).exists()
        ):
            property_changed(gift_id=gift.pk)
    return gift


@service
def gift_record(
    *,
    donor: Donor,
    amount: Decimal | str | int,
    method: str,
    gift_date: datetime.date,
    refresh_figures: bool = True,
    **fields,
) -> Gift:
    """Record one payment. ``fields`` are any other Gift fields (check_number, campaign, …).

    ``refresh_figures=False`` leaves the donor's figures to one ``donor_figures_refresh`` call
    by the caller (bulk loads)."""
    gift = Gift(donor=donor, amount=amount, method=method, gift_date=gift_date, **fields)
    return gift_save(gift=gift, refresh_figures=refresh_figures)


@service
@transaction.atomic
def gift_delete(*, gift: Gift) -> None:
    donor_id, pledge_id = gift.donor_id, gift.pledge_id
    gift.delete()
    donor_figures_refresh(donor_ids=[donor_id])
    pledges_settle(pledge_ids=[pledge_id])


@service
@transaction.atomic
def gifts_delete(*, gifts: QuerySet[Gift]) -> int:
    """Delete gifts one by one so each deletion leaves its audit record."""
    donor_ids, pledge_ids = set(), set()
    count = 0
    for gift in gifts.select_related("donor"):
        donor_ids.add(gift.donor_id)
        pledge_ids.add(gift.pledge_id)
        gift.delete()
        count += 1
    donor_figures_refresh(donor_ids=donor_ids)
    pledges_settle(pledge_ids=pledge_ids)
    return count


@service
@transaction.atomic
def soft_credit_add(
    *, gift: Gift, donor: Donor, kind: str, amount: Decimal | str | None = None
) -> SoftCredit:
    """Credit ``donor`` (a solicitor, a spouse…) with a gift; the whole gift unless ``amount``."""
    return soft_credit_save(credit=SoftCredit(gift=gift, donor=donor, kind=kind, amount=amount))


@service
@transaction.atomic
def soft_credit_save(*, credit: SoftCredit) -> SoftCredit:
    """Validate and save a new or edited soft credit (no amount: the whole gift)."""
    if credit.amount is None or credit.amount == "":
        credit.amount = credit.gift.amount
    credit.amount = money(credit.amount)
    credit.full_clean()
    credit.save()
    return credit


@service
@transaction.atomic
def soft_credits_save(
    *, gift: Gift, credits: Iterable[SoftCredit], deleted: Iterable[SoftCredit] = ()
) -> None:
    """A gift's soft credits as edited on its page."""
    soft_credits_delete(credits=deleted)
    for credit in credits:
        credit.gift = gift
        soft_credit_save(credit=credit)


@service
@transaction.atomic
def soft_credits_delete(*, credits: Iterable[SoftCredit]) -> int:
    """Delete soft credits one by one, so each deletion leaves its audit record."""
    count = 0
    for credit in credits:
        credit.delete()
        count += 1
    return count
