"""A webhook delivery, from raw body to the books.

The request only verifies the signature and stores the event once (a redelivery finds it
stored); the task queue applies it afterwards, because applying may ask Stripe's API, which
takes hundreds of milliseconds a call, and Stripe wants a 2xx at once. Applying marks the
stored event processed in the same transaction as its effect, so it happens exactly once
whatever the order of events or the number of times a task runs. An event that cannot be
applied yet (Stripe unreachable, its payment not there yet) stays waiting and is tried again.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django_q.tasks import async_task

from common.audit import audit_origin
from donors.services import online
from donors.stripe.handlers import HANDLERS
from donors.stripe.verify import event_verify

log = logging.getLogger(__name__)

PROCESS_TASK = "donors.tasks.stripe_event_process_task"


def event_store(event: dict) -> str:
    """Store a verified event and queue its processing: "received", "duplicate" (stored
    before) or "ignored" (a type the books do not need: not stored)."""
    if event["type"] not in HANDLERS:
        return "ignored"
    stored = online.stripe_event_store(event, on_stored=_enqueue)
    return "received" if stored else "duplicate"


def _enqueue(pk: int) -> None:
    async_task(PROCESS_TASK, pk, group="stripe")


def event_process(pk: int) -> str:
    """Apply a stored event once: "applied", or "duplicate" when it was already processed,
    or "needs_attention" when the books cannot record it as it stands (nothing written; it is
    on the back office's "needs attention" list with the reason, and not retried). Raises
    when it cannot be applied now, leaving nothing written but the failure noted (the retry
    sweep tries it again)."""
    try:
        with transaction.atomic():
            stored = online.stripe_event_claim(pk)
            if stored is None:
                return "duplicate"
            # Its audit entries name the event: no user made these changes.
            with audit_origin(f"stripe event {stored.event_id}"):
                HANDLERS[stored.type](stored.payload["data"]["object"])
    except online.PaymentUnrecordable as exc:
        online.stripe_event_attention(pk, str(exc))
        log.warning("stripe event #%s needs attention: %s", pk, type(exc).__name__)
        return "needs_attention"
    except Exception as exc:
        online.stripe_event_failed(pk, f"{type(exc).__name__}: {exc}")
        raise
    return "applied"


def events_retry(*, now: datetime.datetime | None = None) -> int:
    """Hand every stored event whose next try is due to the task queue; how many."""
    due = online.stripe_events_due(now=now)
    for pk in due:
        _enqueue(pk)
    return len(due)


def event_apply(event: dict) -> str:
    """Store and apply at once, in this process (tests and tools; the webhook queues)."""
    if event["type"] not in HANDLERS:
        return "ignored"
    pk = online.stripe_event_store(event)
    if pk is None:
        pk = online.stripe_event_pk(event["id"])
    return event_process(pk)


def webhook_receive(payload: bytes, signature_header: str | None) -> str:
    """Verify (raises ``BadEvent``) and store one delivery; no call to Stripe."""
    event = event_verify(payload, signature_header)
    outcome = event_store(event)
    log.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
    return outcome
