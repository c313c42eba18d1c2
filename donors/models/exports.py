from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """A donor or gift list written by a background task (large lists, and every XLSX), with
    its progress for the page that shows it; the file is for the person who asked (and
    Administrators) and is deleted when it expires."""

    class Kind(models.TextChoices):
        DONORS = "donors", "Donors"
        GIFTS = "gifts", "Gifts"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices)
    # The rows: the admin's queryset (its filters and selection, ordering included), pickled
    # as Django documents for QuerySet.query; written by this server only.
    query = models.BinaryField(editable=False)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True, max_length=255)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="exportjob_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} export ({self.get_format_display()}): {self.status}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
