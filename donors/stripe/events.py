"""A webhook delivery, from raw body to the books: verified, applied once, or refused."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction

from donors.models import StripeEvent
from donors.services.online import stripe_event_record
from donors.stripe.handlers import HANDLERS
from donors.stripe.verify import event_verify

log = logging.getLogger(__name__)


def event_apply(event: dict) -> str:
    """Apply a verified event once: "applied", "duplicate" or "ignored" (a type the books do not
    need). Raises when it cannot be applied now, leaving nothing written, so Stripe retries."""
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return "ignored"
    if StripeEvent.objects.filter(event_id=event["id"]).exists():
        return "duplicate"
    created = datetime.datetime.fromtimestamp(int(event.get("created") or 0), datetime.UTC)
    try:
        with transaction.atomic():
            stripe_event_record(event_id=event["id"], type=event["type"], created=created)
            handler(event["data"]["object"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return "duplicate"
        raise
    return "applied"


def webhook_receive(payload: bytes, signature_header: str | None) -> str:
    """Verify (raises ``BadEvent``) and apply one delivery."""
    event = event_verify(payload, signature_header)
    outcome = event_apply(event)
    log.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
    return outcome
