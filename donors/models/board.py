import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from donors.models.base import CheckedText
from donors.models.donor import Donor


class BoardRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice chair"
    TREASURER = "treasurer", "Treasurer"
    SECRETARY = "secretary", "Secretary"
    MEMBER = "member", "Member"


class Committee(CheckedText, models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BoardMember(models.Model):
    """A seat on the board. The member is a donor; their login, if any, is the user."""

    donor = models.OneToOneField(Donor, on_delete=models.PROTECT, related_name="board_seat")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="board_seat",
        help_text="Their login, so they can keep their own goals.",
    )
    role = models.CharField(max_length=12, choices=BoardRole.choices, default=BoardRole.MEMBER)
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)
    committees = models.ManyToManyField(Committee, blank=True, related_name="members")

    class Meta:
        ordering = ["donor__sort_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="boardmember_term_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} ({self.get_role_display()})"

    def serves_on(self, day: datetime.date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class BoardGoal(models.Model):
    """A member's personal give (own gifts) and get (gifts they solicit) goals for a fiscal year."""

    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="goals")
    fiscal_year = models.PositiveSmallIntegerField(help_text="Named by the year it ends in.")
    give_goal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    get_goal = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["-fiscal_year", "member__donor__sort_name"]
        permissions = [("change_own_boardgoal", "Can change their own board goals")]
        constraints = [
            models.UniqueConstraint(fields=["member", "fiscal_year"], name="boardgoal_unique"),
            models.CheckConstraint(
                condition=Q(give_goal__gte=0) & Q(get_goal__gte=0), name="boardgoal_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} goals of {self.member.donor}"
