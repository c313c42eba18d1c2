"""django-q2 tasks: thin, by primary key, idempotent (each service sends at most once per
change, so a retry never doubles an email). Each is watched (common.door.entry): it writes
only through the events services."""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from common.door import entry


def enqueue_on_commit(func: str, *args) -> None:
    """Queue a task once the current transaction commits (a task must never see, or miss,
    a row that a rollback takes back)."""
    transaction.on_commit(lambda: async_task(func, *args, group="events"))


enqueue = enqueue_on_commit


@entry("task events.tasks.rsvp_confirmation")
def rsvp_confirmation(rsvp_id: int) -> bool:
    # lazy: events.services imports events.tasks at load
    from events.services import rsvp_confirmation_send

    return rsvp_confirmation_send(rsvp_id=rsvp_id)


@entry("task events.tasks.rsvp_public_request")
def rsvp_public_request(link_id: str) -> bool:
    # By the link's id, not a primary key: the answer waits in the cache until confirmed.
    # lazy: events.services imports events.tasks at load
    from events.services import rsvp_public_request_send

    return rsvp_public_request_send(link_id=link_id)


@entry("task events.tasks.invitation")
def invitation(invitation_id: int) -> bool:
    # lazy: events.services imports events.tasks at load
    from events.services import invitation_send

    return invitation_send(invitation_id=invitation_id)


@entry("task events.tasks.reminders")
def reminders() -> int:
    # lazy: events.services imports events.tasks at load
    from events.services import event_reminders_send

    return event_reminders_send()


@entry("task events.tasks.cancellation_notices")
def cancellation_notices(event_id: int) -> int:
    # lazy: events.services imports events.tasks at load
    from events.services import event_cancellation_notices_send

    return event_cancellation_notices_send(event_id=event_id)
