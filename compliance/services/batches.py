"""Background batches: a whole year's receipts or statements, issued by a django-q2 task that
records its progress (done / total) for the page that shows it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from common.audit import audit_origin
from common.door import service
from compliance.models import IssueBatch
from compliance.services import statements
from compliance.services.receipts import (
    gifts_due_for_receipt,
    receipts_issue_due,
    receipts_send_queue,
)
from compliance.services.statements import (
    statement_donor_ids,
    statements_issue,
    statements_send_queue,
)


def _year_gifts(year: int):
    return gifts_due_for_receipt(through=datetime.date(year, 12, 31)).filter(
        tax_date__gte=datetime.date(year, 1, 1)
    )


@service
@transaction.atomic
def issue_batch_start(*, kind: str, year: int, send: bool = False, created_by=None) -> IssueBatch:
    """Record a batch and queue it; its page shows the progress."""
    batch = IssueBatch(kind=kind, year=year, send=send, created_by=created_by)
    if kind == IssueBatch.Kind.RECEIPTS:
        batch.total = _year_gifts(year).count()
    else:
        batch.total = len(statement_donor_ids(year=year))
    batch.full_clean(exclude=["created_by"])
    batch.save()
    transaction.on_commit(lambda: async_task("compliance.tasks.issue_batch_task", batch.pk))
    return batch


@service
def issue_batch_run(*, batch_id: int) -> IssueBatch:
    """Run a batch, saving its progress as it goes. Run again, it issues nothing twice."""
    batches = IssueBatch.objects.filter(pk=batch_id)
    batch = batches.get()
    if batch.status == IssueBatch.Status.DONE:
        return batch
    batches.update(status=IssueBatch.Status.RUNNING, done=0, error="")
    # What it issues names the batch and who started it (common.audit).
    with audit_origin(f"issue batch {batch.pk}", actor=batch.created_by):
        return _issue_batch_run(batch, batches)


def _issue_batch_run(batch: IssueBatch, batches) -> IssueBatch:
    def progress(done: int, total: int) -> None:
        batches.update(done=done, total=total)

    try:
        if batch.kind == IssueBatch.Kind.RECEIPTS:
            ids = list(_year_gifts(batch.year).values_list("pk", flat=True))
            issued = []
            for offset in range(0, len(ids), 100):
                issued += receipts_issue_due(
                    gift_ids=ids[offset : offset + 100], issued_by=batch.created_by
                ).issued
                progress(min(offset + 100, len(ids)), len(ids))
            if batch.send:
                with transaction.atomic():
                    receipts_send_queue(receipt_ids=[r.pk for r in issued])
        else:
            # Split over the task cluster's workers (both cores): each chunk is a task that
            # counts itself done; the last one closes the batch.
            _statements_batch_queue(batch)
            return batches.get()
    except Exception as error:
        batches.update(
            status=IssueBatch.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    batches.update(status=IssueBatch.Status.DONE, issued=len(issued), finished_at=timezone.now())
    return batches.get()


def _statements_batch_queue(batch: IssueBatch) -> None:
    ids = statement_donor_ids(year=batch.year)
    batches = IssueBatch.objects.filter(pk=batch.pk)
    batches.update(total=len(ids), done=0, issued=0)
    if not ids:
        batches.update(status=IssueBatch.Status.DONE, finished_at=timezone.now())
        return
    now = timezone.now().isoformat()
    size = statements.CHUNK  # read at call time
    for offset in range(0, len(ids), size):
        async_task(
            "compliance.tasks.statements_batch_chunk_task",
            batch.pk,
            ids[offset : offset + size],
            now,
        )


@service
def statements_batch_chunk_run(*, batch_id: int, donor_ids: list[int], now: str) -> int:
    """Issue one chunk of a statements batch, count it done, and close the batch after the last
    chunk. Numbering is safe with chunks running at once (statements_issue locks the year's
    counter while it writes). Returns the number issued."""
    batches = IssueBatch.objects.filter(pk=batch_id)
    batch = batches.get()
    if batch.status != IssueBatch.Status.RUNNING:
        return 0
    try:
        with audit_origin(f"issue batch {batch.pk}", actor=batch.created_by):
            issued = statements_issue(
                year=batch.year, donor_ids=donor_ids, now=datetime.datetime.fromisoformat(now)
            )
        with transaction.atomic():
            if batch.send and issued:
                statements_send_queue(statement_ids=[s.pk for s in issued])
            batches.update(done=F("done") + len(donor_ids), issued=F("issued") + len(issued))
            batch = batches.select_for_update().get()
            if batch.done >= batch.total and batch.status == IssueBatch.Status.RUNNING:
                batches.update(status=IssueBatch.Status.DONE, finished_at=timezone.now())
    except Exception as error:
        batches.update(
            status=IssueBatch.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return len(issued)
