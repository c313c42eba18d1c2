from django.conf import settings
from django.db import models
from django.db.models import Q

from donors.models.gift import Gift

# An event the books could not record, that staff have not resolved yet.
NEEDS_ATTENTION = ~Q(attention="") & Q(resolved_at__isnull=True)


class StripeEvent(models.Model):
    """A Stripe event as delivered, stored once under its unique id when the webhook receives
    it; the task queue applies it afterwards. ``processed_at`` is set in the same transaction
    as the event's effect, so a retried delivery or a task run twice changes nothing.

    ``attention`` says why the books could not record it (a payment settled in a currency
    other than US dollars, an event failing for an hour): it is then on the back office's
    "needs attention" list until staff resolve it (``resolved_at``, ``resolved_by``,
    ``resolution``; donors.services.online.stripe_event_resolve)."""

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
    attention = models.TextField(
        blank=True,
        help_text="Why the books could not record it: staff look at it. Empty when all is well.",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text="What staff did about it.")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The retry sweep reads only the events still waiting.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(processed_at__isnull=True),
                name="stripeevent_waiting",
            ),
            # The "needs attention" list and its count on /healthz.
            models.Index(
                fields=["received_at"],
                condition=NEEDS_ATTENTION,
                name="stripeevent_attention",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention) and self.resolved_at is None

    @property
    def state(self) -> str:
        if self.attention:
            return "Resolved" if self.resolved_at else "Needs attention"
        return "Recorded" if self.processed_at else "Waiting"


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
