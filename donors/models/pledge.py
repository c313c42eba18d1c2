from django.db import models
from django.db.models import Q

from donors.models.base import CheckedText
from donors.models.campaign import Campaign, Fund
from donors.models.donor import Donor


class PledgeStatus(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class Pledge(CheckedText, models.Model):
    """A promise to give. Never receipted until paid; gifts apply to it as payments."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    pledge_date = models.DateField()
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    status = models.CharField(max_length=10, choices=PledgeStatus.choices, default="open")
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pledge_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Pledge of ${self.amount:,.2f} by {self.donor}"


class PledgeInstallment(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="installments")
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["due_date"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "due_date"], name="installment_unique_date"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="installment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"${self.amount:,.2f} due {self.due_date}"


class RecurringPlan(models.Model):
    """A monthly (or yearly) gift, usually a Stripe subscription; each payment is a Gift."""

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="recurring_plans")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    interval = models.CharField(max_length=10, choices=Interval.choices, default="month")
    status = models.CharField(max_length=10, choices=Status.choices, default="active")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="recurring_plans"
    )
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="recurring_plans"
    )
    stripe_subscription_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    started_on = models.DateField()
    next_charge_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recurringplan_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_interval_display()} ${self.amount:,.2f} from {self.donor}"
