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
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from auditlog.cid import get_cid
from django.contrib.auth import get_user_model
from django.db import connections, router
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


_request_user: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "audit_request_user", default=None
)


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
    gives each its own. The entries carry the current actor, origin and correlation id.

    The rows go in as plain values with their JSON already text (on PostgreSQL one INSERT from
    arrays, elsewhere one ``executemany``), not as model instances: Django's per-field
    preparation of 10,000 entries cost more than the statements they record."""
    # lazy: models; common.door imports this module before the app registry is ready.
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    connection = connections[router.db_for_write(LogEntry)]
    actor, origin, cid = current_actor(), current_origin(), get_cid()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    extra = json.dumps(_extra(None, origin)) if origin else None
    shared = json.dumps(changes) if changes_of is None else None
    actor_id = actor.pk if actor is not None else None
    actor_email = getattr(actor, "email", None) if actor is not None else None
    types: dict[type, int] = {}
    rows = []
    for obj in objects:
        model = type(obj)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(obj).pk
        pk = obj.pk
        rows.append((
            types[model], smart_str(pk), pk if isinstance(pk, int) else None, smart_str(obj),
            action, shared if changes_of is None else json.dumps(changes_of(obj)), "",
            actor_id, actor_email, extra, cid, now,
        ))  # fmt: skip
    if not rows:
        return 0
    columns = [
        "content_type_id", "object_pk", "object_id", "object_repr", "action", "changes",
        "changes_text", "actor_id", "actor_email", "additional_data", "cid", "timestamp",
    ]  # fmt: skip
    qn = connection.ops.quote_name
    insert = f"INSERT INTO {qn(LogEntry._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: a column of values each, unnested into rows.
            types_sql = [
                "int", "text", "bigint", "text", "smallint", "jsonb", "text", "bigint", "text",
                "jsonb", "text", "timestamptz",
            ]  # fmt: skip
            arrays = ", ".join(f"%s::{t}[]" for t in types_sql)
            for start in range(0, len(rows), 5000):
                chunk = rows[start : start + 5000]
                cursor.execute(
                    f"{insert}SELECT * FROM unnest({arrays})",
                    [list(column) for column in zip(*chunk, strict=True)],
                )
        else:
            cursor.executemany(f"{insert}VALUES ({', '.join(['%s'] * len(columns))})", rows)
    return len(rows)


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
