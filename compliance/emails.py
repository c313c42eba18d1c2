"""Sending email: the one place that talks to SMTP (through Django's configured backend).

The words come from EmailTemplate rows staff edit; the defaults below fill a missing row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.template import Context, Template, TemplateSyntaxError

from compliance.models import EmailTemplate
from donors.text import one_line

DEFAULTS = {
    "receipt": (
        "Your receipt {{ number }} from {{ org_name }}",
        "Dear {{ donor_name }},\n\n"
        "Thank you for your gift of {{ amount }} received on {{ gift_date }}. {{ gift_form }} "
        "Your receipt {{ number }} is attached; keep it with your tax records.\n\n"
        "You can check it at any time at {{ verify_url }}\n\n"
        "With gratitude,\n{{ signatory_name }}\n{{ signatory_title }}, {{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
    "void_notice": (
        "Your receipt {{ number }} from {{ org_name }} is void",
        "Dear {{ donor_name }},\n\n"
        "Receipt {{ number }} for your gift on {{ gift_date }} is no longer valid: "
        "{{ void_reason }}.\n"
        "{% if corrected_number %}A corrected receipt, {{ corrected_number }}, replaces it and "
        "follows in a separate email.\n{% else %}Please do not use it for your tax records.\n"
        "{% endif %}\n"
        "{{ signatory_name }}\n{{ signatory_title }}, {{ org_name }}\n",
    ),
    "statement": (
        "Your {{ year }} giving statement from {{ org_name }}",
        "Dear {{ donor_name }},\n\n"
        "Thank you for your support in {{ year }}. Your giving statement {{ number }} is "
        "attached: it lists each gift, what it was worth to you for tax purposes, and the "
        "total of {{ total_deductible }}.\n\n"
        "{{ cash_summary }}\n\n"
        "With gratitude,\n{{ signatory_name }}\n{{ signatory_title }}, {{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
    "thank_you": (
        "Thank you from {{ org_name }}",
        "Dear {{ donor_name }},\n\n"
        "Thank you for your gift of {{ amount }} on {{ gift_date }}{{ through }}.\n\n"
        "THIS LETTER IS NOT A TAX RECEIPT. {{ receipt_note }}\n\n"
        "With gratitude,\n{{ signatory_name }}\n{{ signatory_title }}, {{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
    "thank_you_receipt": (
        "Thank you for your gift to {{ org_name }}",
        "Dear {{ donor_name }},\n\n"
        "Thank you for your gift of {{ amount }} on {{ gift_date }}. Gifts like yours keep "
        "our work going, and we are grateful.\n\n"
        "Your receipt {{ number }} is attached; keep it with your tax records. {{ gift_form }} "
        "You can check it at any time at {{ verify_url }}\n\n"
        "With gratitude,\n{{ signatory_name }}\n{{ signatory_title }}, {{ org_name }}\n\n"
        "{{ ny_disclosure }}\n",
    ),
}


def render(key: str, context: dict) -> tuple[str, str]:
    row = EmailTemplate.objects.filter(key=key).first()
    subject, body = (row.subject, row.body) if row else DEFAULTS[key]
    ctx = Context(context, autoescape=False)
    try:
        return one_line(Template(subject).render(ctx)), Template(body).render(ctx)
    except TemplateSyntaxError as error:
        raise ValidationError(f"The {key} email template has an error: {error}") from None


def send(*, to: str, subject: str, body: str, attachments=()) -> str:
    """Send one email now; raises on any SMTP failure so the task is retried. Returns '' when
    it went, else why it did not: the address is suppressed (bounced, complained; see
    donors.mailing), which the callers tell staff instead of recording a send."""
    # A subject holds names as stored: a line break in one must not stop the email.
    message = EmailMessage(
        subject=one_line(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    if message.send(fail_silently=False):
        return ""
    return suppressed_note(message)


def suppressed_note(message) -> str:
    """Why the suppression wrapper (donors.mail_backend) kept ``message`` from everyone."""
    dropped = getattr(message, "suppressed", None) or []
    if not dropped:
        return "not sent"
    address, reason = dropped[0]
    return f"not sent: {address} is suppressed ({reason})"


def send_many(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(
        subject=one_line(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    ).send(fail_silently=False)
