"""Checkout kinds: Checkout Sessions that pay for something other than a plain donation.

A session's ``metadata["kind"]`` names what it pays for. The donors app knows no kind but its
own (a donation has no kind); another app registers its kind when Django starts (in its
``AppConfig.ready``) with what to do when a session of that kind is paid or expires:

    checkout_kind_register("event_tickets", completed=..., expired=...)

``completed(session)`` receives the paid Checkout Session as the plain dict Stripe sends and
records the payment's gift (it must be idempotent: a retried or second event for the same
payment returns what the first recorded). The webhook calls it inside the event's
transaction, holding the payment's lock, so two events of one payment never record it twice.
``expired(session)`` (optional) releases whatever was held for a session that was never paid.

A payment whose metadata names a registered kind is never recorded as a plain donation by the
payment, charge or reconciliation paths: only ``completed`` records it; they fill in what it
lacks (the fee, the charge id) afterwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class CheckoutKind:
    name: str
    completed: Callable[[dict], object]
    expired: Callable[[dict], object] | None = None


_KINDS: dict[str, CheckoutKind] = {}


def checkout_kind_register(
    name: str,
    *,
    completed: Callable[[dict], object],
    expired: Callable[[dict], object] | None = None,
) -> CheckoutKind:
    """Register (or, registering the same name again, replace) a Checkout kind."""
    if not name:
        raise ValueError("A Checkout kind needs a name.")
    kind = CheckoutKind(name=name, completed=completed, expired=expired)
    _KINDS[name] = kind
    return kind


def checkout_kind(metadata: dict | None) -> CheckoutKind | None:
    """The registered kind a session's (or payment's) metadata names; None for a donation."""
    name = (metadata or {}).get("kind") or ""
    return _KINDS.get(name) if name else None


def checkout_kinds() -> tuple[str, ...]:
    return tuple(sorted(_KINDS))
