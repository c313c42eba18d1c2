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
from django.utils import timezone
from django_q.tasks import async_task

from common.door import service
from compliance import emails, rules
from compliance.models import BenefitLimit, Receipt, ReceiptCounter, ReceiptKind, YearEndStatement
from compliance.pdf import paid_as, receipt_pdf
from donors.deductible import BenefitLimits, gift_figures
from donors.models import Gift, GiftStatus, Organization
from donors.money import usd
from donors.money_rules import counted_q, is_cash
from donors.selectors import gift_tax_years


class ReceiptRefused(ValidationError):
    """The rules forbid this receipt; the message says why in words staff understand."""


def _limits_for(year: int) -> BenefitLimits | None:
    row = BenefitLimit.objects.filter(year=year).first()
    return row.as_rules() if row else None


def benefit_limit_years() -> frozenset[int]:
    """Every year whose insubstantial-benefit limits are recorded (one small query)."""
    return frozenset(BenefitLimit.objects.values_list("year", flat=True))


def years_missing_limits(years) -> list[int]:
    """Those of ``years`` with no limits recorded: their gifts' benefits are never
    disregarded, so staff are warned wherever such a gift shows."""
    return sorted(set(years) - benefit_limit_years())


def years_in_use_missing_limits(*, today: datetime.date | None = None) -> list[int]:
    """The years gifts span, and the current one, that have no limits recorded."""
    today = today or timezone.localdate()
    return years_missing_limits({*gift_tax_years(), today.year})


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


@service
def next_sequences(*, series: str, year: int, count: int = 1) -> range:
    """Reserve the next ``count`` numbers of a series; call inside the issuing transaction."""
    # Create the year's row if missing without racing another issuer (ON CONFLICT DO NOTHING),
    # then lock it: whoever holds the lock owns the next numbers until it commits.
    ReceiptCounter.objects.bulk_create(
        [ReceiptCounter(series=series, year=year)], ignore_conflicts=True
    )
    counter = ReceiptCounter.objects.select_for_update().get(series=series, year=year)
    first = counter.last_sequence + 1
    counter.last_sequence += count
    counter.save(update_fields=["last_sequence"])
    return range(first, counter.last_sequence + 1)


def _next_number(year: int) -> tuple[int, str]:
    (sequence,) = next_sequences(series="receipt", year=year)
    return sequence, rules.receipt_number(year=year, sequence=sequence)


@service
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
    if not is_cash(gift.method):
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
    gifts = Gift.objects.filter(counted_q()).exclude(receipts__isnull=False)
    if through is not None:
        gifts = gifts.filter(tax_date__lte=through)
    return gifts.order_by("tax_date", "id")


@service
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


@service
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


@service
@transaction.atomic
def receipt_replace(*, receipt: Receipt, reason: str, issued_by=None) -> Receipt:
    """Void a receipt and issue a corrected one, from the gift as it is now, naming it."""
    voided = receipt_void(receipt=receipt, reason=reason, voided_by=issued_by)
    return receipt_issue(
        gift=voided.gift, issued_by=issued_by, kind=ReceiptKind.CORRECTED, replaces=voided
    )


@service
def document_mark_downloaded(*, document: Receipt | YearEndStatement) -> None:
    """Record the first download of an issued receipt or statement (later ones change nothing)."""
    type(document).objects.filter(pk=document.pk, downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )


# Sending. Each send locks the receipt, sends, and records the send in one transaction: a
# second worker waits for the lock and then finds it sent. An SMTP failure raises, rolls back
# and leaves the task to django-q2, which delivers it again (ack_failures is off).


def _email_context(receipt: Receipt) -> dict:
    replacement = Receipt.objects.filter(replaces=receipt).values_list("number", flat=True)
    return {
        "donor_name": receipt.donor_name,
        "number": receipt.number,
        "gift_date": receipt.gift_date.strftime("%B %-d, %Y"),
        "amount": "non-cash gift"
        if receipt.is_non_cash
        else usd(receipt.amount) + paid_as(receipt),
        "gift_form": rules.gift_form_sentence(receipt.method),
        "deductible_amount": usd(receipt.deductible_amount),
        "org_name": receipt.org_name,
        "signatory_name": receipt.org_signatory_name,
        "signatory_title": receipt.org_signatory_title,
        "ny_disclosure": receipt.org_ny_disclosure,
        "verify_url": receipt.verify_url,
        "void_reason": receipt.void_reason,
        "corrected_number": replacement.first() or "",
    }


@service
def document_send(*, model, document_id: int, template: str, context, pdf, file_prefix: str) -> str:
    """Email an issued receipt or statement with its PDF, once. Called inside a transaction:
    the row is locked, sent and the send recorded together, so a second worker finds it sent
    and an SMTP failure rolls back for django-q2 to retry. Returns what happened, in words."""
    document = model.objects.select_for_update().get(pk=document_id)
    if document.sent_at:
        return f"{document.number} was already sent on {document.sent_at:%Y-%m-%d}."
    if document.voided_at:
        return f"{document.number} is void: not sent."
    if not document.donor_email:
        return f"{document.number} has no email address: print and mail it."
    subject, body = emails.render(template, context(document))
    refused = emails.send(
        to=document.donor_email,
        subject=subject,
        body=body,
        attachments=[(f"{file_prefix}-{document.number}.pdf", pdf(document), "application/pdf")],
    )
    if refused:
        return f"{document.number} could not be emailed ({refused}): print and mail it."
    document.sent_at = timezone.now()
    document.sent_to = document.donor_email
    document.save(update_fields=["sent_at", "sent_to"])
    return f"{document.number} sent to {document.donor_email}."


@service
@transaction.atomic
def receipt_send(*, receipt_id: int) -> str:
    """Email a receipt's PDF to its donor once. Returns what happened, in words."""
    return document_send(
        model=Receipt,
        document_id=receipt_id,
        template="receipt",
        context=_email_context,
        pdf=receipt_pdf,
        file_prefix="receipt",
    )


@service
@transaction.atomic
def receipt_void_notice_send(*, receipt_id: int) -> str:
    """Tell the donor a receipt they were sent is void (once); the void PDF is attached."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
    if not receipt.voided_at or receipt.void_notice_sent_at:
        return f"{receipt.number}: no notice due."
    if not receipt.donor_email:
        return f"{receipt.number} has no email address: tell the donor by mail."
    subject, body = emails.render("void_notice", _email_context(receipt))
    emails.send(
        to=receipt.donor_email,
        subject=subject,
        body=body,
        attachments=[
            (f"receipt-{receipt.number}-void.pdf", receipt_pdf(receipt), "application/pdf")
        ],
    )
    receipt.void_notice_sent_at = timezone.now()
    receipt.save(update_fields=["void_notice_sent_at"])
    return f"{receipt.number}: void notice sent to {receipt.donor_email}."


@service
def receipts_send_queue(*, receipt_ids) -> int:
    """Queue the emails of receipts not yet sent (a django-q2 task each)."""
    ids = list(
        Receipt.objects.filter(
            pk__in=list(receipt_ids), sent_at__isnull=True, voided_at=None
        ).values_list("pk", flat=True)
    )
    for receipt_id in ids:
        transaction.on_commit(
            lambda rid=receipt_id: async_task(
                "compliance.tasks.receipt_send_task", rid, task_name=f"receipt-send-{rid}"
            )
        )
    return len(ids)


def _void_notice_queue(receipt: Receipt) -> None:
    if receipt.sent_at:  # only donors who were sent the receipt need telling
        transaction.on_commit(
            lambda: async_task("compliance.tasks.receipt_void_notice_task", receipt.pk)
        )


@dataclass
class SyncResult:
    voided: list[Receipt] = field(default_factory=list)
    corrected: list[Receipt] = field(default_factory=list)


def _receipt_out_of_date(receipt: Receipt, gift: Gift) -> bool:
    """Whether a valid receipt no longer says what its gift is: refunded, failed, or other
    amounts. A disputed gift keeps its receipt: the outcome decides (lost is recorded as a
    refund, won changes nothing)."""
    if gift.status == GiftStatus.DISPUTED:
        return False
    if not gift_receiptability(gift).receiptable:
        return True
    figures = gift_figures(gift)
    return (figures.amount, figures.deductible_amount) != (
        receipt.amount,
        receipt.deductible_amount,
    )


@service
@transaction.atomic
def receipts_follow_gift(*, gift_id: int) -> SyncResult:
    """Bring one gift's valid receipt in line with the gift as it is now, after a refund or
    lost dispute (or a corrected amount): a gift no longer receipted has its receipt voided; a
    partial refund or changed amount voids it and issues a corrected one; the donor is told
    (the emails are queued once this commits).

    Idempotent: the gift's row is locked first, so two runs for one gift (a retry, two refunds
    in a row, the nightly sweep) take turns, and the second finds the receipt already in line
    and changes nothing."""
    result = SyncResult()
    gift = Gift.objects.select_for_update().select_related("donor").filter(pk=gift_id).first()
    if gift is None:
        return result
    for receipt in Receipt.objects.filter(gift=gift, voided_at__isnull=True).order_by("pk"):
        if not _receipt_out_of_date(receipt, gift):
            continue
        if not gift_receiptability(gift).receiptable:
            voided = receipt_void(
                receipt=receipt, reason=f"Gift {gift.get_status_display().lower()}"
            )
            _void_notice_queue(voided)
            result.voided.append(voided)
            continue
        reason = (
            f"Gift partially refunded ({usd(gift.amount_refunded)})"
            if gift.amount_refunded != receipt.amount_refunded
            else "Gift amounts changed"
        )
        corrected = receipt_replace(receipt=receipt, reason=reason)
        voided = Receipt.objects.get(pk=receipt.pk)
        _void_notice_queue(voided)
        if voided.sent_at:
            receipts_send_queue(receipt_ids=[corrected.pk])
        result.corrected.append(corrected)
    return result


@service
def receipts_sync_with_gifts(*, gift_ids=None) -> SyncResult:
    """Compare each valid receipt with its gift as it is now, and bring those out of date in
    line (``receipts_follow_gift``). Refunds reach receipts at once through the task queued
    when the money changes; this full pass is the nightly safety net (and the admin action).
    Running it again changes nothing."""
    result = SyncResult()
    receipts = Receipt.objects.filter(voided_at__isnull=True).select_related("gift__donor")
    if gift_ids is not None:
        receipts = receipts.filter(gift_id__in=list(gift_ids))
    # Read without locks; only a receipt that looks out of date is looked at again, gift
    # locked, by receipts_follow_gift (the at-once task may have got there first).
    stale = [r.gift_id for r in receipts.iterator() if _receipt_out_of_date(r, r.gift)]
    for gift_id in dict.fromkeys(stale):
        followed = receipts_follow_gift(gift_id=gift_id)
        result.voided.extend(followed.voided)
        result.corrected.extend(followed.corrected)
    return result
