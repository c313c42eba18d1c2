"""Email to donors: a mailing (an appeal's email or a newsletter) sent to a segment, one row per
donor it reached or left out, and the addresses no email goes to (suppressions).

The rule (README "Email appeals and newsletters"): an address suppressed because it bounced,
complained or was suppressed by staff gets no email at all from the product, receipts included;
an unsubscribe turns off the donor's ``email_opt_in`` and suppresses bulk mail (appeals,
newsletters, event invitations) but not the transactional email a donor needs (receipts).
It is enforced for every send by ``donors.mail_backend.SuppressingBackend``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from donors.models.base import CheckedText
from donors.models.donor import Donor
from donors.models.outreach import Appeal, Segment


class Mailing(CheckedText, models.Model):
    class Kind(models.TextChoices):
        APPEAL = "appeal", "Appeal email"
        NEWSLETTER = "newsletter", "Newsletter"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.NEWSLETTER)
    appeal = models.ForeignKey(
        Appeal, on_delete=models.PROTECT, null=True, blank=True, related_name="mailings"
    )
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="mailings")
    subject = models.CharField(max_length=200, help_text="Merge fields allowed.")
    body = models.TextField(help_text="Plain text; merge fields allowed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="newsletter") | Q(appeal__isnull=False),
                name="mailing_appeal_email_has_appeal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_kind_display().lower()})"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class MailingRecipient(models.Model):
    """One donor of a mailing: sent once, or left out with the reason."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by a batch: a task that stops here is not sent again (never twice).
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        SKIPPED = "skipped", "Left out"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="mailings_received")
    address = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    # The unsubscribe link's secret: one per recipient, never guessable.
    token = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "donor"], name="mailingrecipient_once"),
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="mailingrecipient_status_idx"),
            models.Index(fields=["provider_message_id"], name="mailingrecipient_msgid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.donor} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = new_token()
        super().save(*args, **kwargs)


class EmailSuppression(models.Model):
    """An address the product does not email (see the module's rule)."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (marked as spam)"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        STAFF = "staff", "Suppressed by staff"

    # Reasons that stop every email, receipts included; an unsubscribe stops bulk mail only.
    HARD = (Reason.BOUNCED, Reason.COMPLAINED, Reason.STAFF)

    address = models.CharField(max_length=254, unique=True, help_text="Kept lower-cased.")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    source = models.CharField(
        max_length=100, blank=True, help_text="Where it came from: a provider, a link, a person."
    )
    created_at = models.DateTimeField()
    detail = models.TextField(blank=True)
    # Emails the product did not send to this address because of it.
    blocked_count = models.PositiveIntegerField(default=0)
    last_blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "email suppression"

    def __str__(self) -> str:
        return f"{self.address} ({self.get_reason_display().lower()})"

    def save(self, *args, **kwargs):
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)
