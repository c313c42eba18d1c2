"""Work other apps queue when a gift's money changes: the one door out of donors for it.

donors owns the money in and out (payments, refunds, lost disputes) and must not import the
apps built on it, yet compliance has to follow a refund at once (void or correct the gift's
receipt, tell the donor). So an app registers the dotted path of a django-q2 task, once, in
its ``AppConfig.ready``:

    money_changed_hook_register("compliance.tasks.receipts_follow_gift_task")

and ``gift_save`` queues each registered task with the gift's primary key when an existing
gift's money changes (amount, refunded amount, status or benefit: its ``MONEY_FIELDS``). The
task is queued only once the change commits (``transaction.on_commit``): it never sees a
refund that rolled back, and its failure is retried by the queue instead of undoing the
refund. Tasks must be idempotent: a retry, or two refunds in a row, may queue the same gift
twice.

A gift of property has a second such door: ``property_changed_hook_register`` names a task
queued with the gift's pk when its Forms 8283 and 8282 record (PropertyRecord), or the date it
was received, changes; compliance plans the Form 8282 filing from it.

A third door, ``gift_received_hook_register``, names a task queued with the pk of each new
online gift (a Stripe payment recorded for the first time, however the event arrived):
compliance thanks the donor at once, with the receipt.

Task names, not a Django signal: the house keeps domain flow visible (no signals), and a name
in a list says exactly what runs, where, and after what.
"""

from __future__ import annotations

from django.db import transaction

money_changed_hooks: list[str] = []
property_changed_hooks: list[str] = []
gift_received_hooks: list[str] = []


def _register(hooks: list[str], task: str) -> None:
    if not task or "." not in task:
        raise ValueError(f"{task!r} is not the dotted path of a task.")
    if task not in hooks:
        hooks.append(task)


def money_changed_hook_register(task: str) -> None:
    """Queue the task ``task`` (a dotted path) with a gift's pk whenever its money changes.
    Registering the same task again changes nothing."""
    _register(money_changed_hooks, task)


def property_changed_hook_register(task: str) -> None:
    """Queue the task ``task`` (a dotted path) with a gift's pk whenever its property record
    (Forms 8283 and 8282) or its date received changes. Registering it again changes nothing."""
    _register(property_changed_hooks, task)


def gift_received_hook_register(task: str) -> None:
    """Queue the task ``task`` (a dotted path) with the pk of each new online gift once it
    commits. Registering it again changes nothing."""
    _register(gift_received_hooks, task)


def money_changed(*, gift_id: int) -> None:
    """Queue every registered task for the gift once the current transaction commits."""
    _queue(money_changed_hooks, gift_id)


def property_changed(*, gift_id: int) -> None:
    """Queue every registered property task for the gift once the transaction commits."""
    _queue(property_changed_hooks, gift_id)


def gift_received(*, gift_id: int) -> None:
    """Queue every registered new-gift task for the gift once the transaction commits."""
    _queue(gift_received_hooks, gift_id)


def _queue(hooks: list[str], gift_id: int) -> None:
    if not hooks:
        return
    # lazy: django_q.tasks imports django-q's models at load, which needs the app registry
    # ready, and this module is imported while apps are still loading (compliance/apps.py).
    from django_q.tasks import async_task

    for task in hooks:
        transaction.on_commit(lambda task=task: async_task(task, gift_id))
