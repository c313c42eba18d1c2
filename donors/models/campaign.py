from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from donors.models.base import CheckedText


class Channel(models.TextChoices):
    """Where money comes from; ``donors.progress`` says which gift falls in which."""

    ONLINE = "online", "Online"
    EVENTS = "events", "Events"
    CHECKS = "checks", "Checks"
    GLOBALGIVING = "globalgiving", "GlobalGiving"
    MAJOR = "major", "Major gifts"
    OTHER = "other", "Other"


class Campaign(CheckedText, models.Model):
    """A fundraising push with a goal: the dinners, the GlobalGiving campaign, the annual fund."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    goal = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    channels = models.JSONField(
        default=list,
        blank=True,
        help_text="The channels it raises through; the dashboard shows each, even at $0.",
    )
    globalgiving_project_id = models.CharField(
        "GlobalGiving project id",
        max_length=40,
        blank=True,
        help_text="Set for the campaign whose totals come from GlobalGiving.",
    )

    class Meta:
        ordering = ["-is_active", "-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(goal__gte=0), name="campaign_goal_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="campaign_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The campaign cannot end before it starts."})
        known = set(Channel.values)
        if not isinstance(self.channels, list) or not all(
            isinstance(c, str) and c in known for c in self.channels
        ):
            raise ValidationError(
                {"channels": f"Channels are a list of: {', '.join(Channel.values)}."}
            )
        # Kept in the dashboard's order, each once.
        self.channels = [c for c in Channel.values if c in self.channels]


class Fund(CheckedText, models.Model):
    """Where money goes: the general fund, or a purpose a donor restricted it to."""

    name = models.CharField(max_length=200, unique=True)
    is_restricted = models.BooleanField(
        "restricted", default=False, help_text="Donor-restricted to a purpose or time."
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
