"""Reaching donors: saved segments (named donor searches), appeals that ask a segment for money
and who each appeal asked. The criteria a segment may hold, and how they become a query, are
``donors.segments``; the emails that carry appeals and newsletters are ``donors.models.mailing``.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from donors.models.base import CheckedText
from donors.models.campaign import Campaign
from donors.models.donor import Donor


class Segment(CheckedText, models.Model):
    """A saved, named donor search: its criteria are ``definition`` (see donors.segments), so
    who is in it is worked out each time it is used, never frozen."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    definition = models.JSONField(
        default=dict, blank=True, help_text="The criteria, all of which a donor must meet."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppealChannel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    BOTH = "both", "Email and letter"


class Appeal(CheckedText, models.Model):
    """An ask for money: part of a campaign, sent to a segment by email, letter or both, and
    carrying a code that gifts answering it are attributed by."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$",
                "Use capital letters, digits and hyphens only, such as SPRING26-MAIL.",
            )
        ],
        help_text="Printed on reply slips and carried by donate links: capitals, digits, hyphens.",
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="appeals")
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    channel = models.CharField(
        max_length=10, choices=AppealChannel.choices, default=AppealChannel.EMAIL
    )
    cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="What the appeal cost: printing, postage, the mailing service.",
    )
    email_subject = models.CharField(max_length=200, blank=True)
    email_body = models.TextField(blank=True, help_text="The email's words; merge fields allowed.")
    letter_body = models.TextField(
        blank=True, help_text="The letter's words (the campaign's case); merge fields allowed."
    )
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="appeal_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AppealRecipient(models.Model):
    """A donor an appeal asked, and how: written when its emails are sent or its letters
    printed. Its response rate and cost per dollar are counted over these."""

    class Via(models.TextChoices):
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="recipients")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="appeals_received")
    via = models.CharField(max_length=10, choices=Via.choices)
    asked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "donor", "via"], name="appealrecipient_once_per_way"
            ),
        ]
        indexes = [models.Index(fields=["donor"], name="appealrecipient_donor_idx")]

    def __str__(self) -> str:
        return f"{self.appeal.code}: {self.donor} by {self.get_via_display().lower()}"
