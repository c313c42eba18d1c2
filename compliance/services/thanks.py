"""Thanking a gift's donor by email: the thank-you with the gift's receipt attached, or, for a
gift the organization does not receipt to its donor (a GlobalGiving payout, a DAF grant, an
employer's match), the not-a-receipt letters to the people behind it.

Online gifts are thanked at once: donors queues ``compliance.tasks.gift_thank_task`` when a
Stripe payment is first recorded (donors.hooks). Staff thank any other gift from the
thank-you queue (crm/thanks_views.py), through the same task.

Exactly once: the gift's row is locked first and its ``thanked_at`` checked, so a retried or
doubled task finds it thanked; the receipt is issued (never twice: ``receipt_issue``), the email
sent and the gift marked in one transaction, and an SMTP failure rolls it all back for the
queue to try again.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from common.door import service
from compliance import emails, rules
from compliance.models import Receipt
from compliance.pdf import receipt_pdf
from compliance.services.letters import NOTES, thank_you_letters_queue
from compliance.services.receipts import (
    _donor_email,
    _email_context,
    gift_receiptability,
    receipt_issue,
)
from donors.models import Gift, SoftCredit, ThankedVia
from donors.money_rules import counted_q
from donors.services import gift_thanked_mark
from donors.services.thanks import thanked_in_words


class ThankRefused(ValidationError):
    """This gift cannot be thanked by email; the message says what to do instead."""


@service
def gift_thank_queue(*, gift: Gift, by=None) -> None:
    """Queue the thank-you email of one gift (sent by the task queue once this commits)."""
    if gift.thanked_at is not None:
        raise ThankRefused(f"This gift's donor was already thanked {thanked_in_words(gift)}.")
    user_id = by.pk if by is not None else None
    transaction.on_commit(lambda: async_task("compliance.tasks.gift_thank_task", gift.pk, user_id))


@service
@transaction.atomic
def gift_thank(*, gift_id: int, by=None) -> str:
    """Thank the donor of one gift by email, once. Returns what happened, in words; raises
    ``ThankRefused`` when it cannot be done by email (and an SMTP error, to be retried)."""
    gift = Gift.objects.select_for_update().select_related("donor").filter(pk=gift_id).first()
    if gift is None:
        return f"Gift {gift_id} no longer exists."
    if gift.thanked_at is not None:
        return f"Gift {gift.pk} was already thanked {thanked_in_words(gift)}."
    if not Gift.objects.filter(counted_q(), pk=gift.pk).exists():
        raise ThankRefused(
            f"Gift {gift.pk} is {gift.get_status_display().lower()}: there is nothing to thank for."
        )
    verdict = gift_receiptability(gift)
    if verdict.recipient == rules.Recipient.DONOR:
        return _thank_with_receipt(gift, by)
    return _thank_people_behind(gift, by, verdict.reason)


def _thank_with_receipt(gift: Gift, by) -> str:
    email = _donor_email(gift)
    if not email:
        raise ThankRefused(
            f"{gift.donor.display_name} has no email address: thank them by letter or call."
        )
    receipt = Receipt.objects.filter(gift=gift, voided_at__isnull=True).first()
    if receipt is None:
        receipt = receipt_issue(gift=gift, issued_by=by)
    subject, body = emails.render("thank_you_receipt", _email_context(receipt))
    refused = emails.send(
        to=email,
        subject=subject,
        body=body,
        attachments=[(f"receipt-{receipt.number}.pdf", receipt_pdf(receipt), "application/pdf")],
    )
    if refused:
        return f"Gift {gift.pk}: the thank-you could not be emailed ({refused})."
    if receipt.sent_at is None:
        # The receipt went out with the thank-you: it is never sent again on its own.
        receipt.sent_at = timezone.now()
        receipt.sent_to = email
        receipt.save(update_fields=["sent_at", "sent_to"])
    gift_thanked_mark(gift=gift, via=ThankedVia.EMAIL, by=by)
    return f"Gift {gift.pk}: thanked {email} with receipt {receipt.number}."


def _thank_people_behind(gift: Gift, by, reason: str) -> str:
    """A gift the organization does not receipt to its donor: the people behind it (soft
    credits: GlobalGiving's donors, a fund's advisor, the matched employee) get the letter
    that says it is not a tax receipt, once each (compliance.services.letters)."""
    credits = SoftCredit.objects.filter(gift=gift, kind__in=list(NOTES))
    if not credits.exists():
        raise ThankRefused(
            f"Gift {gift.pk} is not receipted to its donor ({reason}) and names nobody behind "
            "it to thank: add them as soft credits, or mark it thanked by letter or call."
        )
    queued = thank_you_letters_queue(soft_credit_ids=credits.values_list("pk", flat=True))
    gift_thanked_mark(gift=gift, via=ThankedVia.EMAIL, by=by)
    return f"Gift {gift.pk}: {queued} not-a-receipt letter(s) queued."
