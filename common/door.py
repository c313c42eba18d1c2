"""One door for every write: records of the back office's apps change only inside a service.

A service is a function decorated with :func:`service`. Whatever a user or a machine sets off
(a request, a task, a command) runs *watched* (:func:`watched`, :func:`entry`,
:class:`DoorMiddleware`): while watched, saving, deleting or re-linking (many-to-many) a record
of one of ``settings.ONE_DOOR_APPS`` outside a service is a defect. With
``settings.ONE_DOOR_STRICT`` (the test suite) it raises :class:`WriteOutsideService`; otherwise
it is logged as an error and the write goes on, so a user is never stopped by the check itself.

Outside watched code (a test's factories, a migration, the shell) nothing is checked.
This module imports no app: the apps to guard come from settings.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db.models.signals import m2m_changed, pre_delete, pre_save

from common.audit import audit_origin, request_user

logger = logging.getLogger("crm.door")

F = TypeVar("F", bound=Callable)

_in_service: contextvars.ContextVar[int] = contextvars.ContextVar("door_in_service", default=0)
_watched: contextvars.ContextVar[str] = contextvars.ContextVar("door_watched", default="")


class WriteOutsideService(RuntimeError):
    """A record was written by code that is not a service, while a request, task or command
    was running."""


def service(func: F) -> F:
    """Mark ``func`` as a service: the records it writes (and those of the services it
    calls) go through the door."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        token = _in_service.set(_in_service.get() + 1)
        try:
            return func(*args, **kwargs)
        finally:
            _in_service.reset(token)

    wrapper.is_service = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def reads_only(func: F) -> F:
    """Mark an admin action that only reads (an export): it needs no service."""
    func.reads_only = True  # type: ignore[attr-defined]
    return func


def is_service(func) -> bool:
    return bool(getattr(func, "is_service", False))


@contextmanager
def watched(where: str) -> Iterator[None]:
    """Check every write made inside the block; ``where`` names it in the message."""
    token = _watched.set(where)
    # A service's depth does not leak into what it sets off (a task run inline, say).
    depth = _in_service.set(0)
    try:
        yield
    finally:
        _in_service.reset(depth)
        _watched.reset(token)


def entry(where: str) -> Callable[[F], F]:
    """Decorate a task or command handler: everything it writes must go through services, and
    its audit entries name ``where`` as their origin (common.audit)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with watched(where), audit_origin(where):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


class DoorMiddleware:
    """Every request is watched; its user is the actor of the audit entries written in bulk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with watched(f"{request.method} {request.path}"), request_user(user):
            return self.get_response(request)


def _guarded(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return meta is not None and meta.app_label in getattr(settings, "ONE_DOOR_APPS", ())


def _check(sender, action: str) -> None:
    where = _watched.get()
    if not where or _in_service.get() or not _guarded(sender):
        return
    message = (
        f"{action} {sender._meta.label} outside a service (during {where}): "
        "call a function of the app's services instead (common/door.py)"
    )
    if getattr(settings, "ONE_DOOR_STRICT", False):
        raise WriteOutsideService(message)
    logger.error(message)


def _on_save(sender, **kwargs) -> None:
    if not kwargs.get("raw"):
        _check(sender, "saved")


def _on_delete(sender, **kwargs) -> None:
    _check(sender, "deleted")


def _on_m2m(sender, action: str = "", instance=None, **kwargs) -> None:
    if action.startswith("pre_") and instance is not None:
        _check(type(instance), f"re-linked ({sender._meta.label})")


def connect() -> None:
    """Called once, from the shell app's ready()."""
    pre_save.connect(_on_save, dispatch_uid="common.door.save")
    pre_delete.connect(_on_delete, dispatch_uid="common.door.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="common.door.m2m")
