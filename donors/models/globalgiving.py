from django.db import models
from django.db.models import Q
from django.utils import timezone


class GlobalGivingFetch(models.Model):
    """One call to GlobalGiving's project API, good or not, kept with its time.

    The dashboard shows the latest good figures with their age; a failed call is kept too
    (with its reason) so staff can see since when the API has been failing.
    """

    project_id = models.CharField("GlobalGiving project id", max_length=40)
    fetched_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(help_text="False when the API was down or answered nonsense.")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=300, blank=True)
    project_status = models.CharField(max_length=40, blank=True)
    funding = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    goal = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    remaining = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    donation_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "GlobalGiving fetch"
        ordering = ["-fetched_at", "-id"]
        indexes = [
            models.Index(fields=["project_id", "ok", "-fetched_at"], name="ggfetch_project_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ok=False)
                | (Q(funding__gte=0) & Q(goal__gte=0) & Q(donation_count__isnull=False)),
                name="ggfetch_ok_has_figures",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.fetched_at).strftime("%Y-%m-%d %H:%M")
        if self.ok:
            return f"GlobalGiving {self.project_id} at {when}: ${self.funding:,.2f}"
        return f"GlobalGiving {self.project_id} at {when}: failed ({self.error})"
