"""Thank-you letters for gifts that are not the organization's to receipt."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from common.door import service
from compliance import emails
from compliance.models import ThankYouLetter
from donors.models import Organization, SoftCredit
from donors.money import usd
from donors.money_rules import counted_q

# Whose soft credit gets a letter, and what it says about the tax receipt.
NOTES = {
    "platform_donor": (
        " through GlobalGiving",
        "GlobalGiving, through which you gave, sends you the tax receipt for your donation.",
    ),
    "daf_advisor": (
        " recommended from your donor-advised fund",
        "The grant came from your donor-advised fund: its sponsor received the acknowledgment, "
        "and the grant is not deductible by you again.",
    ),
    "match": (
        " matched by your employer",
        "Your employer's matching gift is acknowledged to your employer and is not deductible "
        "by you. Your own gift, if you made it to us directly, has its own receipt.",
    ),
}


@service
def thank_you_letters_queue(*, soft_credit_ids=None) -> int:
    """Create a letter for each such soft credit that has none, and queue its email."""
    credits = (
        SoftCredit.objects.filter(
            kind__in=list(NOTES),
            thank_you_letter__isnull=True,
        )
        .filter(counted_q("gift__"))
        .select_related("donor", "gift")
        .order_by("id")
    )
    if soft_credit_ids is not None:
        credits = credits.filter(pk__in=list(soft_credit_ids))
    count = 0
    with transaction.atomic():
        for credit in credits:
            primary = credit.donor.emails.order_by("-is_primary", "id").first()
            letter, created = ThankYouLetter.objects.get_or_create(
                soft_credit=credit,
                defaults=dict(
                    donor=credit.donor,
                    kind=credit.kind,
                    donor_name=credit.donor.display_name,
                    email=primary.email if primary else "",
                    amount=credit.amount,
                    gift_date=credit.gift.tax_date,
                ),
            )
            if created:
                count += 1
                transaction.on_commit(
                    lambda pk=letter.pk: async_task("compliance.tasks.thank_you_send_task", pk)
                )
    return count


@service
@transaction.atomic
def thank_you_letter_send(*, letter_id: int) -> str:
    letter = ThankYouLetter.objects.select_for_update().get(pk=letter_id)
    if letter.sent_at:
        return "already sent"
    if not letter.email:
        return "no email address: send it by mail"
    org = Organization.current()
    through, note = NOTES[letter.kind]
    subject, body = emails.render(
        "thank_you",
        {
            "donor_name": letter.donor_name,
            "amount": usd(letter.amount),
            "gift_date": letter.gift_date.strftime("%B %-d, %Y"),
            "through": through,
            "receipt_note": note,
            "org_name": org.legal_name if org else "",
            "signatory_name": org.signatory_name if org else "",
            "signatory_title": org.signatory_title if org else "",
            "ny_disclosure": org.ny_disclosure if org else "",
        },
    )
    refused = emails.send(to=letter.email, subject=subject, body=body)
    if refused:
        return f"could not be emailed ({refused})"
    letter.sent_at = timezone.now()
    letter.save(update_fields=["sent_at"])
    return f"sent to {letter.email}"
