"""The shell app's own tables: the donors' sign-in links and sessions on their own page (/my/).

A donor is not a user of the back office: signing in on /my/ never logs anyone into Django's
auth. Each link and each session is kept only as a SHA-256 hash of its random token, so a copy
of the database opens nobody's page."""

from __future__ import annotations

from django.db import models


class DonorSignInLink(models.Model):
    """A link emailed to a donor: works once, for a short while (crm.donor_access)."""

    donor = models.ForeignKey("donors.Donor", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="donorsigninlink_expires_idx")]

    def __str__(self) -> str:
        return f"Sign-in link for donor {self.donor_id}"


class DonorSession(models.Model):
    """A donor signed in on /my/, by the cookie holding its token (crm.donor_access)."""

    donor = models.ForeignKey("donors.Donor", on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Session of donor {self.donor_id}"
