"""Donor and gift exports written in the background (large lists, and every XLSX): a django-q2
task writes the file to storage and records its progress; the requester (or an Administrator)
fetches it from its page until it expires."""

from __future__ import annotations

import datetime
import pickle
import secrets
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from common.door import service
from common.roles import ADMINISTRATOR
from donors.exports import csv_stream, donor_rows, gift_rows, xlsx_file
from donors.models import Donor, ExportJob, Gift

_PROGRESS_EVERY = 2000


def _rows(job: ExportJob):
    model = {ExportJob.Kind.DONORS: Donor, ExportJob.Kind.GIFTS: Gift}[job.kind]
    queryset = model.objects.all()
    queryset.query = pickle.loads(bytes(job.query))  # noqa: S301 - written by export_job_start
    if job.kind == ExportJob.Kind.DONORS:
        return queryset, donor_rows(queryset, with_giving=bool(job.options.get("with_giving")))
    return queryset, gift_rows(queryset)


def export_in_background(*, file_format: str, rows: int) -> bool:
    """Whether an export goes to a background task: XLSX always (a workbook is written whole
    before a byte can be sent), CSV above EXPORT_BACKGROUND_ROWS rows."""
    return file_format == ExportJob.Format.XLSX or rows > settings.EXPORT_BACKGROUND_ROWS


@service
@transaction.atomic
def export_job_start(
    *, kind: str, file_format: str, queryset, user, options: dict | None = None, total: int = 0
) -> ExportJob:
    """Record the export and queue its task; its page shows the progress."""
    job = ExportJob(
        kind=kind,
        format=file_format,
        query=pickle.dumps(queryset.query),
        options=options or {},
        requested_by=user,
        total=total,
    )
    job.full_clean(exclude=["query", "requested_by", "file"])
    job.save()
    transaction.on_commit(
        lambda: async_task("donors.tasks.export_job_task", job.pk, group="exports")
    )
    return job


def _counted(rows, progress):
    """The rows, telling ``progress`` how many have been written as the writer takes them."""
    for count, row in enumerate(rows):
        yield row
        progress(count)


@service
def export_job_run(*, job_id: int) -> ExportJob:
    """Write the file, saving progress as it goes. Run again (a retry), it starts over; a
    finished or expired export is left alone."""
    jobs = ExportJob.objects.filter(pk=job_id)
    job = jobs.get()
    if job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
        return job

    def progress(count: int) -> None:  # count includes the header row
        if count and count % _PROGRESS_EVERY == 0:
            jobs.update(done=count)

    name = f"{job.kind}-{timezone.localdate():%Y-%m-%d}.{job.format}"
    try:
        # Inside the try: a saved query that no longer loads (after an upgrade) fails the
        # export on its page instead of leaving it queued for ever.
        queryset, rows = _rows(job)
        total = queryset.count()
        jobs.update(status=ExportJob.Status.RUNNING, total=total, done=0, error="")
        # The same writers as the exports sent at once (formulas neutralized, Excel's BOM).
        if job.format == ExportJob.Format.XLSX:
            handle = xlsx_file(_counted(rows, progress), title=job.kind)
        else:
            handle = tempfile.TemporaryFile()
            for chunk in csv_stream(_counted(rows, progress)):
                handle.write(chunk)
            handle.seek(0)
        with handle:
            # An unguessable folder: the file is served only through its page's permission
            # check, and a guessed path under MEDIA_URL finds nothing either.
            path = default_storage.save(
                f"exports/{job.pk}-{secrets.token_hex(12)}/{name}", File(handle, name=name)
            )
    except Exception as error:
        jobs.update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    jobs.update(
        status=ExportJob.Status.DONE,
        done=total,
        file=path,
        file_name=name,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=settings.EXPORT_FILE_HOURS),
    )
    return jobs.get()


def export_jobs_all_visible(user) -> bool:
    """Administrators see (and fetch) every export."""
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()
    )


def export_job_visible_to(job: ExportJob, user) -> bool:
    """The file holds donor data: only the person who asked for it, and Administrators."""
    if not user.is_authenticated:
        return False
    return job.requested_by_id == user.pk or export_jobs_all_visible(user)


@service
def export_files_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their time; the record of who exported what stays."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        count += 1
    return count
