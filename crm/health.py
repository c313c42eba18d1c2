"""What /healthz reports: can we reach the database, and is the task queue alive; and, for
monitoring, how many Stripe events wait for staff on the "needs attention" list.

Each check catches its own failures and reports them as data: a health check that raises turns
an outage into a 500 with a traceback, which is what load balancers must never see.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.utils import timezone
from django_q.models import Failure, Success

from common import task_worker
from donors.services.online import stripe_events_needing_attention

logger = logging.getLogger(__name__)


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure here means "down", and the reason is shown
        logger.warning("healthz: database unavailable: %s", exc)
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def task_queue_status(*, database_ok: bool) -> dict:
    """The broker's state, and the task history when the database can be read."""
    broker_name = task_worker.broker_name()
    if broker_name == "orm" and not database_ok:
        # The ORM broker's queue is a table: without the database there is no queue.
        return {"ok": False, "broker": broker_name, "error": "database unavailable"}
    try:
        broker = task_worker.broker(broker_name)
        broker.ping()
        status = {
            "ok": True,
            "broker": broker_name,
            "queued": broker.queue_size(),
            "clusters": task_worker.cluster_count(broker, broker_name),
        }
    except Exception as exc:
        logger.warning("healthz: task queue broker (%s) unavailable: %s", broker_name, exc)
        return {"ok": False, "broker": broker_name, "error": exc.__class__.__name__}
    if database_ok:
        status.update(_task_history())
    return status


def _task_history() -> dict:
    try:
        last_success = (
            Success.objects.order_by("-stopped").values_list("stopped", flat=True).first()
        )
        recent_failures = Failure.objects.filter(
            stopped__gte=timezone.now() - timezone.timedelta(days=1)
        ).count()
    except Exception as exc:  # e.g. migrations not applied: the queue cannot record results
        logger.warning("healthz: task history unreadable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {
        "last_success": last_success.isoformat() if last_success else None,
        "failures_last_24h": recent_failures,
    }


def stripe_status(*, database_ok: bool) -> dict:
    """How many stored Stripe events the books could not record and staff have not resolved
    (the back office's "needs attention" list). Informational: it never makes /healthz fail,
    since the site is up; monitoring alerts on a count above zero. None when unreadable."""
    if not database_ok:
        return {"needs_attention": None}
    try:
        count = stripe_events_needing_attention().count()
    except Exception as exc:  # e.g. migrations not applied
        logger.warning("healthz: stripe events unreadable: %s", exc)
        return {"needs_attention": None, "error": exc.__class__.__name__}
    return {"needs_attention": count}
