"""The files the admin's import keeps between its preview and its confirm (ImportUpload):
bound to the user who uploaded them, deleted at confirm, cancel or after IMPORT_UPLOAD_HOURS."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.door import service
from donors.models import ImportUpload

GONE = (
    "This import's file is no longer here: it was imported or cancelled already, it was "
    "uploaded more than {hours} hours ago, or it was uploaded by someone else. Upload the file "
    "again."
)


class UploadGone(LookupError):
    """No kept upload for this token and user."""


@dataclass(frozen=True)
class HeldUpload:
    file_name: str
    data: bytes


@service
def import_upload_keep(*, user, file_name: str, data: bytes) -> str:
    """Keep a previewed file for its confirm; the token the confirm form carries. Each upload
    also deletes the abandoned ones, so none outlive IMPORT_UPLOAD_HOURS by much even without
    the schedule."""
    import_uploads_expire()
    token = secrets.token_urlsafe(32)
    ImportUpload.objects.create(
        token=token, user=user, file_name=file_name[:255], data=data, created_at=timezone.now()
    )
    return token


def _fresh(user, token: str):
    since = timezone.now() - datetime.timedelta(hours=settings.IMPORT_UPLOAD_HOURS)
    return ImportUpload.objects.filter(token=token, user=user, created_at__gt=since)


@service
@transaction.atomic
def import_upload_take(*, user, token: str) -> HeldUpload:
    """The kept file, removed as it is taken: a second confirm of the same preview imports
    nothing twice. Another user's token, a made-up one or an expired one: UploadGone."""
    upload = _fresh(user, token).select_for_update().first()
    if upload is None:
        raise UploadGone(GONE.format(hours=settings.IMPORT_UPLOAD_HOURS))
    held = HeldUpload(file_name=upload.file_name, data=bytes(upload.data))
    upload.delete()
    return held


@service
def import_upload_discard(*, user, token: str) -> bool:
    """Cancel: delete the user's kept file (another user's stays)."""
    deleted, _ = ImportUpload.objects.filter(token=token, user=user).delete()
    return bool(deleted)


@service
def import_uploads_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the previews nobody confirmed or cancelled within IMPORT_UPLOAD_HOURS."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=settings.IMPORT_UPLOAD_HOURS)
    deleted, _ = ImportUpload.objects.filter(created_at__lte=since).delete()
    return deleted
