"""The one place the suppression rule (donors.mailing) is enforced for every email the product
sends: settings.EMAIL_BACKEND is this wrapper, around the backend EMAIL_URL chose
(settings.EMAIL_DELIVERY_BACKEND). Each message loses the recipients it may not reach; one left
with none is not handed on. What was dropped is on the message (``message.suppressed``: a
list of (address, reason)) for the caller to tell staff, and counted on the suppression.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from donors.mailing import address_of, blocks, suppressions_for

log = logging.getLogger("donors.mail")


def is_bulk(message) -> bool:
    """Appeals, newsletters and invitations: marked ``bulk``, or carrying List-Unsubscribe."""
    headers = {k.lower() for k in (getattr(message, "extra_headers", None) or {})}
    return bool(getattr(message, "bulk", False)) or "list-unsubscribe" in headers


def drop_suppressed(message) -> list[tuple[str, str]]:
    """Remove from ``message`` the recipients the rule forbids; return them with the reason."""
    bulk = is_bulk(message)
    found = suppressions_for(message.recipients())
    dropped: list[tuple[str, str]] = []
    for attr in ("to", "cc", "bcc"):
        kept = []
        for value in getattr(message, attr) or []:
            reason = found.get(address_of(value))
            if blocks(reason, bulk=bulk):
                dropped.append((address_of(value), reason))
            else:
                kept.append(value)
        setattr(message, attr, kept)
    message.suppressed = dropped
    return dropped


class SuppressingBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        inner = getattr(settings, "EMAIL_DELIVERY_BACKEND", "") or (
            "django.core.mail.backends.smtp.EmailBackend"
        )
        self.inner = get_connection(inner, fail_silently=fail_silently, **kwargs)

    def open(self):
        return self.inner.open()

    def close(self):
        return self.inner.close()

    def send_messages(self, email_messages):
        # lazy: services import this module's package siblings; a backend loads at send time.
        from donors.services.mailings import email_suppressions_blocked

        deliver, blocked = [], []
        for message in email_messages:
            dropped = drop_suppressed(message)
            blocked += [address for address, _ in dropped]
            if message.recipients():
                deliver.append(message)
        if blocked:
            log.info("%d recipient(s) suppressed: not sent", len(blocked))
            email_suppressions_blocked(addresses=blocked)
        if not deliver:
            return 0
        return self.inner.send_messages(deliver)
