"""Issuing, voiding and replacing receipts. Every write to a receipt goes through here.

A receipt is issued inside one transaction that locks the gift (so a gift is never receipted
twice) and the year's counter row (so numbers never repeat and never skip): if anything fails,
the counter's increment rolls back with the receipt.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from compliance import rules
from compliance.models import BenefitLimit, Receipt, ReceiptCounter, ReceiptKind
from donors.models import Gift, GiftStatus, Organization
from donors.models.gift import NON_CASH_METHODS
from donors.money import money


class ReceiptRefused(ValidationError):
    """The rules forbid this receipt; the message says why in words staff understand."""


def _limits_for(year: int) -> rules.BenefitLimits | None:
    row = BenefitLimit.objects.filter(year=year).first()
    return row.as_rules() if row else None


def _org_address(org: Organization) -> str:
    lines = [org.address_line1, org.address_line2, f"{org.city}, {org.state} {org.postal_code}"]
    if org.country != "US":
        lines.append(org.country.name)
    return "\n".join(line for line in lines if line)


def _donor_address(gift: Gift) -> str:
    address = gift.donor.addresses.order_by("-is_primary", "id").first()
    if address is None:
        return ""
    lines = [
        address.line1,
        address.line2,
        f"{address.city}, {address.region} {address.postal_code}".strip().rstrip(","),
    ]
    if address.country != "US":
        lines.append(address.country.name)
    return "\n".join(line for line in lines if line)


def _donor_email(gift: Gift) -> str:
    email = gift.donor.emails.order_by("-is_primary", "id").first()
    return email.email if email else ""


def gift_receiptability(gift: Gift) -> rules.Receiptability:
    """Whether a gift is the organization's to receipt, and to whom."""
    result = rules.receipt_recipient(
        method=gift.method, status=gift.status, donor_kind=gift.donor.kind
    )
    if result.receiptable and not rules.benefits_allowed_against_daf(
        method=gift.method, benefit_value=gift.benefit_value, declined=gift.benefit_declined
    ):
        return rules.Receiptability(
            rules.Recipient.NOBODY, "No goods or services may be given against DAF money."
        )
    return result


@dataclass(frozen=True)
class GiftFigures:
    amount: object
    amount_refunded: object
    benefit_value: object
    deductible_amount: object


def gift_figures(gift: Gift) -> GiftFigures:
    """The amounts a receipt for this gift states today."""
    limits = _limits_for(gift.tax_date.year)
    kept = money(gift.amount) - money(gift.amount_refunded)
    benefit = rules.effective_benefit(
        payment=kept,
        benefit_value=gift.benefit_value,
        benefit_declined=gift.benefit_declined,
        limits=limits,
    )
    deductible = rules.deductible_amount(
        amount=gift.amount,
        amount_refunded=gift.amount_refunded,
        benefit_value=gift.benefit_value,
        benefit_declined=gift.benefit_declined,
        limits=limits,
    )
    return GiftFigures(kept, money(gift.amount_refunded), benefit, deductible)


def _next_number(year: int) -> tuple[int, str]:
    # Create the year's row if missing without racing another issuer (ON CONFLICT DO NOTHING),
    # then lock it: whoever holds the lock owns the next number until it commits.
    ReceiptCounter.objects.bulk_create([ReceiptCounter(year=year)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last_sequence += 1
    counter.save(update_fields=["last_sequence"])
    return counter.last_sequence, rules.receipt_number(year=year, sequence=counter.last_sequence)


@transaction.atomic
def receipt_issue(
    *,
    gift: Gift,
    issued_by=None,
    kind: str = ReceiptKind.ACKNOWLEDGMENT,
    replaces: Receipt | None = None,
    now: datetime.datetime | None = None,
) -> Receipt:
    """Issue the acknowledgment of one gift, or refuse with the reason."""
    gift = Gift.objects.select_for_update().select_related("donor").get(pk=gift.pk)
    org = Organization.current()
    if org is None:
        raise ReceiptRefused("Fill in the organization profile (name, EIN, address) first.")
    verdict = gift_receiptability(gift)
    if not verdict.receiptable:
        raise ReceiptRefused(f"Gift {gift.pk} is not receipted: {verdict.reason}")
    if Receipt.objects.filter(gift=gift, voided_at__isnull=True).exists():
        raise ReceiptRefused(f"Gift {gift.pk} already has a valid receipt; void it first.")
    figures = gift_figures(gift)
    now = now or timezone.now()
    year = timezone.localtime(now, org.tz).year
    sequence, number = _next_number(year)
    non_cash = ""
    if gift.method in NON_CASH_METHODS:
        non_cash = rules.non_cash_description(
            method=gift.method,
            description=gift.non_cash_description,
            stock_shares=gift.stock_shares,
            stock_issuer=gift.stock_issuer,
        )
    receipt = Receipt(
        number=number,
        year=year,
        sequence=sequence,
        kind=kind,
        gift=gift,
        donor=gift.donor,
        replaces=replaces,
        recipient=verdict.recipient,
        issued_at=now,
        issued_by=issued_by,
        donor_name=gift.donor.display_name,
        donor_address=_donor_address(gift),
        donor_email=_donor_email(gift),
        org_name=org.legal_name,
        org_ein=org.ein,
        org_address=_org_address(org),
        org_exemption_statement=org.exemption_statement.replace("{name}", org.legal_name).replace(
            "{ein}", org.ein
        ),
        org_signatory_name=org.signatory_name,
        org_signatory_title=org.signatory_title,
        org_ny_disclosure=org.ny_disclosure,
        org_website=org.website,
        gift_date=gift.tax_date,
        method=gift.method,
        amount=figures.amount,
        amount_refunded=figures.amount_refunded,
        benefit_value=figures.benefit_value,
        benefit_description=gift.benefit_description if figures.benefit_value else "",
        deductible_amount=figures.deductible_amount,
        non_cash_description=non_cash,
    )
    receipt.full_clean(exclude=["gift", "donor", "replaces", "issued_by"])
    receipt.save()
    return receipt


@dataclass
class IssueResult:
    issued: list[Receipt] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def gifts_due_for_receipt(*, through: datetime.date | None = None):
    """Gifts never receipted whose money the organization keeps, oldest first."""
    gifts = Gift.objects.filter(
        status__in=[GiftStatus.SUCCEEDED, GiftStatus.PARTIALLY_REFUNDED]
    ).exclude(receipts__isnull=False)
    if through is not None:
        gifts = gifts.filter(tax_date__lte=through)
    return gifts.order_by("tax_date", "id")


def receipts_issue_due(
    *, through: datetime.date | None = None, gift_ids=None, issued_by=None
) -> IssueResult:
    """Issue every due receipt, each in its own transaction; a gift the rules refuse is
    skipped with its reason. Safe to run again: a gift with any receipt is never due."""
    result = IssueResult()
    gifts = gifts_due_for_receipt(through=through).select_related("donor")
    if gift_ids is not None:
        gifts = gifts.filter(pk__in=list(gift_ids))
    for gift in gifts:
        verdict = gift_receiptability(gift)
        if not verdict.receiptable:
            result.skipped.append((gift.pk, verdict.reason))
            continue
        try:
            result.issued.append(receipt_issue(gift=gift, issued_by=issued_by))
        except ReceiptRefused as refused:
            result.skipped.append((gift.pk, " ".join(refused.messages)))
    return result


@transaction.atomic
def receipt_void(*, receipt: Receipt, reason: str, voided_by=None) -> Receipt:
    """Void a receipt: it keeps its number, and its PDF is marked VOID."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"void_reason": "Say why the receipt is void."})
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.voided_at:
        raise ValidationError(f"Receipt {receipt.number} is already void.")
    receipt.voided_at = timezone.now()
    receipt.void_reason = reason
    receipt.voided_by = voided_by
    receipt.save(update_fields=["voided_at", "void_reason", "voided_by"])
    return receipt


@transaction.atomic
def receipt_replace(*, receipt: Receipt, reason: str, issued_by=None) -> Receipt:
    """Void a receipt and issue a corrected one, from the gift as it is now, naming it."""
    voided = receipt_void(receipt=receipt, reason=reason, voided_by=issued_by)
    return receipt_issue(
        gift=voided.gift, issued_by=issued_by, kind=ReceiptKind.CORRECTED, replaces=voided
    )


def receipt_mark_downloaded(*, receipt: Receipt) -> None:
    Receipt.objects.filter(pk=receipt.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )
