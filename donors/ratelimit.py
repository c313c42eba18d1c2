"""One small fixed-window rate limit for every public form (donate, RSVP, receipt check),
kept in the shared cache so it holds across web workers."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind the site's proxy (production settings trust one for the
    scheme) it is the last X-Forwarded-For entry, the one that proxy appended: the first ones
    are whatever the client chose to send, so trusting them would let anyone dodge the limit."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request, *, scope: str, limit: int = 20, window: int = 600) -> bool:
    """True once this client has made more than ``limit`` requests to ``scope`` in the window."""
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request)}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
