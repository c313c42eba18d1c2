"""The board's asks (a prospect a board member means to ask for a gift, moved through the
stages of the ask) and follow-up tasks (a call, a visit, a thank-you) on any donor."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from donors.models.base import CheckedText
from donors.models.board import BoardMember
from donors.models.donor import Donor
from donors.models.gift import Gift


class AskStage(models.TextChoices):
    IDENTIFY = "identify", "Identify"
    CULTIVATE = "cultivate", "Cultivate"
    ASK = "ask", "Ask"
    # The donor said yes (a gift closes the ask and lands here): thank them, keep in touch.
    STEWARD = "steward", "Steward"
    DECLINED = "declined", "Declined"


# The stages of an ask still being worked, in order; the next of the last is STEWARD.
OPEN_STAGES = (AskStage.IDENTIFY, AskStage.CULTIVATE, AskStage.ASK)
CLOSED_STAGES = (AskStage.STEWARD, AskStage.DECLINED)


def next_stage(stage: str) -> str | None:
    """The stage after ``stage`` on the way to a gift; None once the ask is closed."""
    order = [*OPEN_STAGES, AskStage.STEWARD]
    if stage not in OPEN_STAGES:
        return None
    return order[order.index(stage) + 1]


class Ask(CheckedText, models.Model):
    """A prospect assigned to a board member: who to ask, for how much, and what comes next.

    Open while in identify, cultivate or ask; closed (``closed_at``) once stewarded (a yes,
    most often the gift itself: ``closing_gift``) or declined."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="asks")
    member = models.ForeignKey(
        BoardMember,
        on_delete=models.PROTECT,
        related_name="asks",
        verbose_name="board member",
    )
    amount = models.DecimalField(
        "ask amount", max_digits=12, decimal_places=2, help_text="What they will be asked for."
    )
    stage = models.CharField(max_length=10, choices=AskStage.choices, default=AskStage.IDENTIFY)
    next_step = models.CharField(
        max_length=200, blank=True, help_text="E.g. Lunch to talk about the new wing."
    )
    due_date = models.DateField(null=True, blank=True, help_text="When the next step is due.")
    opened_on = models.DateField(
        default=timezone.localdate,
        help_text="Gifts from this day on close the ask.",
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closing_gift = models.ForeignKey(
        Gift,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The gift that closed the ask.",
    )

    class Meta:
        ordering = ["due_date", "pk"]
        permissions = [("change_own_ask", "Can keep their own asks")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="ask_amount_positive",
                violation_error_message="The ask amount must be more than $0.",
            ),
            # Closed exactly when stewarded or declined.
            models.CheckConstraint(
                condition=Q(stage__in=CLOSED_STAGES, closed_at__isnull=False)
                | Q(stage__in=OPEN_STAGES, closed_at__isnull=True),
                name="ask_closed_when_stage_closes",
            ),
            models.UniqueConstraint(
                fields=["donor", "member"],
                condition=Q(closed_at__isnull=True),
                name="ask_one_open_per_member_and_donor",
                violation_error_message=(
                    "This board member already has an open ask of this donor: move that one on."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["donor"], condition=Q(closed_at__isnull=True), name="ask_open_by_donor"
            ),
        ]

    def __str__(self) -> str:
        return f"Ask of {self.donor} for ${self.amount:,.2f}"

    def closed_in_step(self) -> None:
        """Keep ``closed_at`` in step with the stage: set when the ask closes, cleared (with
        its closing gift) when it is moved back to an open stage. Changes nothing stored."""
        if self.stage in CLOSED_STAGES:
            if self.closed_at is None:
                self.closed_at = timezone.now()
        else:
            self.closed_at = None
            self.closing_gift = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def next_stage(self) -> str | None:
        return next_stage(self.stage)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today


class TaskKind(models.TextChoices):
    CALL = "call", "Call"
    VISIT = "visit", "Visit"
    THANK_YOU = "thank_you", "Thank-you"
    OTHER = "other", "Other"


class Task(CheckedText, models.Model):
    """A follow-up someone owes a donor: a call, a visit, a thank-you."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="donor_tasks",
        help_text="Who does it.",
    )
    kind = models.CharField(max_length=10, choices=TaskKind.choices, default=TaskKind.CALL)
    what = models.CharField(
        max_length=200, blank=True, help_text="E.g. Thank her for the gala table."
    )
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "pk"]
        permissions = [("change_own_task", "Can keep their own tasks")]
        indexes = [
            models.Index(
                fields=["owner", "due_date"],
                condition=Q(done_at__isnull=True),
                name="task_open_by_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.donor} by {self.due_date:%Y-%m-%d}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.done_at is None and self.due_date < today
