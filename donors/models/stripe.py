from django.db import models
from django.db.models import Q

from donors.models.gift import Gift


class StripeEvent(models.Model):
    """A Stripe event as delivered, stored once under its unique id when the webhook receives
    it; the task queue applies it afterwards. ``processed_at`` is set in the same transaction
    as the event's effect, so a retried delivery or a task run twice changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict, blank=True, help_text="The event as Stripe sent it.")
    processed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its effect was recorded; empty while waiting."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts so far.")
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a failed event is tried again."
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The retry sweep reads only the events still waiting.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(processed_at__isnull=True),
                name="stripeevent_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class GiftAdjustment(models.Model):
    """A refund or a dispute of a processed gift, as the processor reports it. The gift's
    status and refunded amount are derived from these rows, so events arriving out of order
    leave the same result."""

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund"
        DISPUTE = "dispute", "Dispute"

    gift = models.ForeignKey(Gift, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    stripe_id = models.CharField(max_length=255, unique=True, help_text="re_… or dp_…")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=40)
    reason = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="giftadjustment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ${self.amount:,.2f} ({self.status})"
