"""Failed monthly payments and what the donor is told about them (dunning).

A ``PaymentFailure`` is one Stripe invoice of a monthly plan that could not be paid: at risk
while Stripe retries it, recovered once a payment on the plan goes through, lost when the
plan ends unpaid. Each email the donor gets about it is a ``DunningNotice``, one per failed
attempt (and one last notice), so a redelivered event never sends a second email. The words
are ``DunningTemplate`` rows staff edit.
"""

from django.db import models
from django.db.models import Q

from common.email_templates import template_fields_check
from donors.models.base import CheckedText
from donors.models.pledge import RecurringPlan


class DunningKind(models.TextChoices):
    FIRST = "first", "First failed payment"
    REMINDER = "reminder", "Reminder after a retry failed"
    FINAL = "final", "Last notice: the monthly gift ends"


class DunningTemplate(CheckedText, models.Model):
    """The words of one dunning email; staff edit them in the back office."""

    kind = models.CharField(max_length=10, choices=DunningKind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text="Plain text, a Django template. Placeholders: {{ donor_name }}, {{ org_name }}, "
        "{{ amount }} (the plan's amount, e.g. $25.00), {{ interval }} (monthly or yearly), "
        "{{ card_update_url }} (the donor's link to update their card), {{ link_days }} (how "
        "many days the link works), {{ next_attempt }} (the date Stripe tries again; empty "
        "after the last try), {{ attempt }}, {{ plan_ended }} (true once the plan is "
        "cancelled), {{ donate_url }}, {{ ny_disclosure }} (keep it: the email asks for money)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "failed-payment email"

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        template_fields_check(self)


class PaymentFailure(models.Model):
    class State(models.TextChoices):
        AT_RISK = "at_risk", "At risk"
        RECOVERED = "recovered", "Recovered"
        LOST = "lost", "Lost"

    plan = models.ForeignKey(
        RecurringPlan, on_delete=models.CASCADE, related_name="payment_failures"
    )
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="What the invoice asked."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.AT_RISK)
    attempts = models.PositiveIntegerField(default=1, help_text="Failed attempts so far.")
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When Stripe tries again; empty after its last try."
    )
    card_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the donor last gave a new card."
    )
    recovered_at = models.DateTimeField(null=True, blank=True)
    recovered_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="What was then paid."
    )
    recovered_invoice_id = models.CharField(max_length=255, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When the plan ended without the payment."
    )

    class Meta:
        ordering = ["-last_failed_at", "-id"]
        verbose_name = "failed monthly payment"
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="recovered") | Q(recovered_at__isnull=False),
                name="paymentfailure_recovered_has_date",
            ),
        ]
        indexes = [
            # The dashboard's recovered revenue: recovered ones by date.
            models.Index(
                fields=["recovered_at"],
                condition=Q(state="recovered"),
                name="paymentfailure_recovered",
            ),
        ]

    def __str__(self) -> str:
        return f"Failed payment {self.stripe_invoice_id} ({self.get_state_display()})"


class DunningNotice(models.Model):
    """One email about a failed payment: queued once, sent once (``sent_at``)."""

    failure = models.ForeignKey(PaymentFailure, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=DunningKind.choices)
    attempt = models.PositiveIntegerField()
    to = models.EmailField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            # One email per failed attempt, and one last notice per failure.
            models.UniqueConstraint(
                fields=["failure", "attempt"],
                condition=~Q(kind="final"),
                name="dunningnotice_one_per_attempt",
            ),
            models.UniqueConstraint(
                fields=["failure"], condition=Q(kind="final"), name="dunningnotice_one_final"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (attempt {self.attempt})"
