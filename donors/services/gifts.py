from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from donors.models import Donor, Gift, Organization, SoftCredit
from donors.money import money
from donors.rules import tax_date_for
from donors.services.figures import donor_figures_refresh


def _time_zone_for(donor: Donor) -> str:
    if donor.time_zone:
        return donor.time_zone
    org = Organization.current()
    return org.time_zone if org else settings.TIME_ZONE


def _prepare(gift: Gift) -> None:
    """Derive what is never typed: the tax date, the net, empty ids stored as NULL."""
    gift.amount = money(gift.amount)
    gift.amount_refunded = money(gift.amount_refunded or 0)
    gift.benefit_value = money(gift.benefit_value or 0)
    if gift.fee is not None:
        gift.fee = money(gift.fee)
        if gift.net is None and gift.amount is not None:
            gift.net = gift.amount - gift.fee
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


@transaction.atomic
def gift_save(*, gift: Gift, refresh_figures: bool = True) -> Gift:
    """Validate and save a new or edited gift, and bring its donors' figures up to date.

    ``refresh_figures=False`` is for bulk loaders that record many gifts and then call
    ``donor_figures_refresh`` once for all the donors they touched.
    """
    previous_donor_id = None
    if gift.pk:
        previous_donor_id = Gift.objects.filter(pk=gift.pk).values_list("donor_id", flat=True).first()
    _prepare(gift)
    gift.full_clean()
    gift.save()
    if refresh_figures:
        donor_figures_refresh(donor_ids=[gift.donor_id, previous_donor_id])
    return gift


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


@transaction.atomic
def gift_delete(*, gift: Gift) -> None:
    donor_id = gift.donor_id
    gift.delete()
    donor_figures_refresh(donor_ids=[donor_id])


@transaction.atomic
def gifts_delete(*, gifts: QuerySet[Gift]) -> int:
    """Delete gifts one by one so each deletion leaves its audit record."""
    donor_ids = set()
    count = 0
    for gift in gifts.select_related("donor"):
        donor_ids.add(gift.donor_id)
        gift.delete()
        count += 1
    donor_figures_refresh(donor_ids=donor_ids)
    return count


@transaction.atomic
def soft_credit_add(
    *, gift: Gift, donor: Donor, kind: str, amount: Decimal | str | None = None
) -> SoftCredit:
    credit = SoftCredit(
        gift=gift, donor=donor, kind=kind, amount=money(amount if amount is not None else gift.amount)
    )
    credit.full_clean()
    credit.save()
    return credit
