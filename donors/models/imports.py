from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One run of an import (command or admin): who ran it, which file, and what it did.

    The rows it creates point back at it (Gift.import_run, Donor.import_run), so every imported
    record is attributable to a person and a file. An RSVP import (events.imports) records one
    too: its new donors point back at it; the RSVPs themselves are in the events' audit log.
    """

    class Kind(models.TextChoices):
        DONORS = "donors", "Donors"
        GIFTS = "gifts", "Gifts"
        GLOBALGIVING = "globalgiving", "GlobalGiving report"
        RSVPS = "rsvps", "RSVPs"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    source = models.CharField(max_length=20, default="command", help_text="command or admin")
    rows = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    donors_created = models.PositiveIntegerField(default=0)
    rejected_rows = models.TextField(
        blank=True, help_text="The rows skipped for errors (CSV, with an error column)."
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportUpload(models.Model):
    """A file uploaded to the admin's import, kept between its preview and its confirm.

    In the database, not in a folder: only the app reaches it, through ``token`` (unguessable)
    and only for the user who uploaded it. Deleted at confirm or cancel, and after
    IMPORT_UPLOAD_HOURS by the next upload or an hourly schedule."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
