"""Who did it, for the audit log (django-auditlog), when no user did: a task, the Stripe webhook,
an import run, a batch.

``audit_origin("stripe event evt_…")`` names the work for everything recorded inside the block:
each audit entry written there carries ``additional_data["origin"]`` (and, given one, the user
on whose behalf it runs as its actor: the member of staff who started a batch). The history
pages show the origin where an entry has no actor. Requests need nothing: auditlog's middleware
names the signed-in user.

Bulk writes (a ``QuerySet.update``, a ``bulk_create``) send no signal, so auditlog sees none of
them: :func:`log_bulk` writes their entries in one insert, with the same actor and origin.

This module imports no app.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from auditlog.cid import get_cid
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str


@dataclass(frozen=True)
class _Context:
    origin: str
    actor: Any = None


_context: contextvars.ContextVar[_Context | None] = contextvars.ContextVar(
    "audit_origin", default=None
)


@contextmanager
def audit_origin(origin: str, *, actor=None) -> Iterator[None]:
    """Everything recorded inside the block names ``origin`` (and ``actor``, when given)."""
    token = _context.set(_Context(origin=origin, actor=actor))
    try:
        yield
    finally:
        _context.reset(token)


def current_origin() -> str:
    context = _context.get()
    return context.origin if context else ""


_request_user: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_request_user", default=None)


@contextmanager
def request_user(user) -> Iterator[None]:
    """The signed-in user of the request being answered (common.door.DoorMiddleware), for the
    entries written in bulk (auditlog's own middleware names them on the others)."""
    token = _request_user.set(user)
    try:
        yield
    finally:
        _request_user.reset(token)


def current_actor():
    """The user on whose behalf the current work runs: the block's, else the signed-in one."""
    context = _context.get()
    if context is not None and context.actor is not None:
        return context.actor
    user = _request_user.get()
    return user if isinstance(user, get_user_model()) and user.is_authenticated else None


def _extra(additional_data: dict | None, origin: str) -> dict | None:
    if not origin:
        return additional_data
    data = dict(additional_data or {})
    data.setdefault("origin", origin)
    return data


def _stamp(sender, instance, **kwargs) -> None:
    """Each entry auditlog writes inside :func:`audit_origin` names the origin (and actor)."""
    context = _context.get()
    if context is None:
        return
    if instance.actor_id is None and context.actor is not None:
        instance.actor = context.actor
        instance.actor_email = getattr(context.actor, "email", None)
    instance.additional_data = _extra(instance.additional_data, context.origin)


def log_bulk(
    objects: Iterable[Model],
    *,
    action: int = 1,  # LogEntry.Action.UPDATE
    changes: dict | None = None,
    changes_of=None,
) -> int:
    """One audit entry per object, written in one insert: for rows changed by a
    ``QuerySet.update`` or created by ``bulk_create``. ``changes`` is the same for every
    object ({field: [old, new]}, values as text, as auditlog records them); ``changes_of(obj)``
    gives each its own. The entries carry the current actor, origin and correlation id."""
    # lazy: models; common.door imports this module before the app registry is ready.
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    actor, origin, cid, now = current_actor(), current_origin(), get_cid(), timezone.now()
    entries = []
    for obj in objects:
        pk = obj.pk
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(obj),
                object_pk=smart_str(pk),
                object_id=pk if isinstance(pk, int) else None,
                object_repr=smart_str(obj),
                action=action,
                changes=changes_of(obj) if changes_of is not None else changes,
                actor=actor,
                actor_email=getattr(actor, "email", None) if actor is not None else None,
                additional_data=_extra(None, origin),
                cid=cid,
                timestamp=now,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def who(entry) -> str:
    """Who made the change, in words: the user, else the work that did it, else "system"."""
    data = entry.additional_data
    origin = data.get("origin") if isinstance(data, dict) else None
    if entry.actor_id is not None:
        return f"{entry.actor} ({origin})" if origin else str(entry.actor)
    return origin or "system"


def connect() -> None:
    """Called once, from the shell app's ready()."""
    from auditlog.models import LogEntry  # lazy: models (see log_bulk)

    pre_save.connect(_stamp, sender=LogEntry, dispatch_uid="common.audit.stamp")
