"""django-q2 tasks of the donors app: thin, idempotent, calling services."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from common.door import entry
from donors.services.dunning import dunning_notice_send
from donors.services.exports import export_files_expire, export_job_run
from donors.services.globalgiving import globalgiving_sync
from donors.services.imports import import_uploads_expire
from donors.services.tribute import tribute_notification_send
from donors.stripe.reconcile import reconcile


@entry("task stripe_reconcile_nightly")
def stripe_reconcile_nightly(days: int = 3) -> dict:
    """Reconcile the last few days with Stripe (run nightly; overlapping windows are safe:
    recording is idempotent). Returns the counts for the task's result."""
    if not settings.STRIPE_SECRET_KEY:
        return {"skipped": "STRIPE_SECRET_KEY is not set"}
    since = timezone.localdate() - datetime.timedelta(days=days)
    result = reconcile(since=since)
    return {k: result[k] for k in ("since", "charges", "refunds", "recorded")} | {
        "differences": len(result["differences"])
    }


@entry("task tribute_notify")
def tribute_notify(gift_id: int) -> bool:
    """Send a tribute gift's notification (once: a retry after success sends nothing)."""
    return tribute_notification_send(gift_id=gift_id)


@entry("task dunning_notice_send_task")
def dunning_notice_send_task(notice_id: int) -> bool:
    """Send one failed-payment email (once: a retry after success sends nothing)."""
    return dunning_notice_send(notice_id=notice_id)


@entry("task globalgiving_sync_task")
def globalgiving_sync_task() -> dict:
    return globalgiving_sync().as_dict()


@entry("task export_job_task")
def export_job_task(job_id: int) -> int:
    """Write a background export's file (donors.services.exports)."""
    return export_job_run(job_id=job_id).done


@entry("task export_files_expire_task")
def export_files_expire_task() -> int:
    return export_files_expire()


@entry("task import_uploads_expire_task")
def import_uploads_expire_task() -> int:
    return import_uploads_expire()


@entry("task stripe_event_process_task")
def stripe_event_process_task(event_pk: int) -> str:
    """Apply one stored Stripe event (exactly once: a second run does nothing)."""
    from donors.stripe.events import event_process

    return event_process(event_pk)


@entry("task stripe_events_retry_task")
def stripe_events_retry_task() -> int:
    """Every minute: queue again the stored Stripe events that could not be applied yet."""
    from donors.stripe.events import events_retry

    return events_retry()


@entry("task mailing_send_task")
def mailing_send_task(mailing_id: int) -> dict:
    """Send a queued appeal email or newsletter in batches (each recipient once: a retry
    sends only what was never claimed)."""
    from donors.services.mailings import mailing_send

    return mailing_send(mailing_id=mailing_id)
