"""Bounces and complaints from the email provider's tracking webhook. django-anymail receives,
authenticates (HTTP basic auth, settings.ANYMAIL) and parses each provider's payload, and hands
the normalized event over through its ``tracking`` Django signal: this receiver is the one
signal the house uses for it (the house otherwise calls services directly), because anymail
offers no other hook. It only passes the event to a service."""

from __future__ import annotations

from donors.services.mailings import email_event_record

# anymail's normalized event (and, for "rejected", its reason) -> what the product records.
_KINDS = {"bounced": "bounced", "complained": "complained", "unsubscribed": "unsubscribed"}
_REJECTED = {"bounced": "bounced", "invalid": "bounced", "spam": "complained",
             "unsubscribed": "unsubscribed"}  # fmt: skip


def tracking_event_received(sender, event, esp_name: str, **kwargs) -> None:
    if event.event_type == "rejected":
        kind = _REJECTED.get(event.reject_reason or "")
    else:
        kind = _KINDS.get(event.event_type)
    if kind is None or not event.recipient:
        return
    detail = " ".join(part for part in (event.description, event.mta_response) if part)
    email_event_record(
        kind=kind,
        address=event.recipient,
        provider=esp_name,
        message_id=str(event.message_id or ""),
        recipient_id=str((event.metadata or {}).get("mailing_recipient", "")),
        detail=detail[:2000],
        when=event.timestamp,
    )
