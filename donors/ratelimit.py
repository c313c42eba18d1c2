"""One small fixed-window rate limit for every public form (donate, RSVP, tickets, receipt
check), kept in the shared cache so it holds across web workers.

Limits count per client address (``rate_limited``) and, where an address alone is not what
matters, per email or event too (``limit_reached`` with any key: a key is hashed, so no email
address is kept in the cache)."""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address. With ``TRUSTED_PROXY_COUNT`` = 0 (the default) it is REMOTE_ADDR,
    whatever X-Forwarded-For says: without a proxy in front, that header is whatever the client
    chose to send. With N trusted proxies, each appends the address it saw, so the client is the
    Nth entry from the end; entries before it are the client's own claims and never count. A
    header too short (the request did not come through every proxy) or not an address falls
    back to REMOTE_ADDR, so no header can give a client a fresh address."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not trusted:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        return remote
    return _address(hops[-trusted]) or remote


def limit_reached(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one use of ``scope`` by ``key``; True once there were more than ``limit`` in the
    window."""
    bucket = int(time.time() // window)
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    name = f"ratelimit:{scope}:{digest}:{bucket}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count > limit


def rate_limited(request, *, scope: str, limit: int = 20, window: int = 600) -> bool:
    """True once this client has made more than ``limit`` requests to ``scope`` in the window."""
    return limit_reached(scope=scope, key=client_ip(request), limit=limit, window=window)
