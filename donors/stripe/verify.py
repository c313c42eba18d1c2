"""Webhook signatures, checked exactly as Stripe signs: ``t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>" with the endpoint secret>``, refused when older than the tolerance."""

from __future__ import annotations

import json

import stripe
from django.conf import settings

TOLERANCE_SECONDS = 300


class BadEvent(Exception):
    """Not a genuine, fresh Stripe event: answer 400 and record nothing."""


def event_verify(payload: bytes, signature_header: str | None) -> dict:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BadEvent("STRIPE_WEBHOOK_SECRET is not set")
    if not signature_header:
        raise BadEvent("no Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, signature_header, secret, tolerance=TOLERANCE_SECONDS
        )
        event = json.loads(text)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadEvent(str(exc)) from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadEvent("not an event")
    if not isinstance(event["id"], str) or not isinstance(event["type"], str):
        raise BadEvent("not an event")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise BadEvent("an event without its object")
    return event
