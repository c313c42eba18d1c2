"""A small fixed-window rate limit for public forms, kept in Django's cache."""

from __future__ import annotations

import time

from django.core.cache import cache


def client_ip(request) -> str:
    # Behind the load balancer the client is the first address it forwarded for.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def rate_limited(request, *, scope: str, limit: int = 20, window: int = 600) -> bool:
    """True once this client has made more than ``limit`` posts to ``scope`` in the window."""
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request)}:{bucket}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
