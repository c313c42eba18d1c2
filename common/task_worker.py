"""Is the task worker running? Emails (invitations, confirmations, cancellation notices) and
the Stripe webhook's work wait in django-q2's queue until a worker (``manage.py qcluster``)
takes them. /healthz counts the running clusters (crm.health) and the organizers' pages warn
when none has been seen: both read it here, from django-q2's own records.

A running cluster writes a heartbeat into the broker's cache every few seconds (django-q2's
``Stat``, which expires in three); each task it finishes leaves a ``Success`` or ``Failure``
row, whose time is the last moment a worker was seen once the heartbeat is gone."""

from __future__ import annotations

import dataclasses
import datetime

import redis
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Task
from django_q.status import Stat

# Seconds a check may wait for Redis: an unreachable host must not hold a web worker.
REDIS_TIMEOUT = 2

# Where cluster heartbeats cannot be seen (below), a task finished this recently stands for
# a running worker.
RECENT = datetime.timedelta(minutes=10)


def broker_name() -> str:
    return "redis" if settings.Q_CLUSTER.get("redis") else "orm"


def broker(name: str | None = None):
    """django-q2's broker, with a time limit on Redis (its own client waits without one on a
    host that does not answer)."""
    queue_broker = get_broker()
    if (name or broker_name()) == "redis":
        queue_broker.connection = redis.Redis.from_url(
            settings.Q_CLUSTER["redis"],
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
        )
    return queue_broker


def cluster_count(queue_broker, name: str | None = None) -> int | None:
    """How many clusters are running now; None when this process cannot know."""
    # The ORM broker keeps cluster heartbeats in Django's cache, which by default is local to
    # each process: the web process cannot see a running qcluster, so say "unknown", not 0.
    locmem = "locmem" in settings.CACHES["default"]["BACKEND"].lower()
    if (name or broker_name()) == "orm" and locmem:
        return None
    return len(Stat.get_all(broker=queue_broker))


def last_task_finished() -> datetime.datetime | None:
    """When a worker last finished a task (successfully or not); None if never, or if the
    queue's table cannot be read (migrations not applied)."""
    try:
        return Task.objects.order_by("-stopped").values_list("stopped", flat=True).first()
    except DatabaseError:
        return None


@dataclasses.dataclass(frozen=True)
class WorkerStatus:
    inline: bool  # tasks run in the web process itself (Q_SYNC): nothing waits for a worker
    running: bool  # a worker is running now (or, where that cannot be seen, was lately)
    last_seen: datetime.datetime | None  # when one last finished a task

    @property
    def missing(self) -> bool:
        """True when queued work waits for a worker nobody has seen lately."""
        return not self.inline and not self.running


def worker_status(*, now: datetime.datetime | None = None) -> WorkerStatus:
    """Never raises: a broker that does not answer counts as no worker seen."""
    if Conf.SYNC:
        return WorkerStatus(inline=True, running=True, last_seen=None)
    now = now or timezone.now()
    last_seen = last_task_finished()
    try:
        clusters = cluster_count(broker())
    except Exception:  # noqa: BLE001 - Redis down: no worker can take tasks either
        clusters = 0
    if clusters is None:
        running = last_seen is not None and now - last_seen <= RECENT
    else:
        running = clusters > 0
    return WorkerStatus(inline=False, running=running, last_seen=last_seen)
