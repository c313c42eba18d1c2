"""What /healthz reports: can we reach the database, and is the task queue alive."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure here means "down", and the reason is shown
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def task_queue_status() -> dict:
    from django_q.brokers import get_broker
    from django_q.models import Failure, Success
    from django_q.status import Stat

    broker_name = "redis" if settings.Q_CLUSTER.get("redis") else "orm"
    try:
        broker = get_broker()
        broker.ping()
        queued = broker.queue_size()
        clusters = Stat.get_all(broker=broker)
        last_success = Success.objects.order_by("-stopped").values_list("stopped", flat=True).first()
        recent_failures = Failure.objects.filter(
            stopped__gte=timezone.now() - timezone.timedelta(days=1)
        ).count()
    except Exception as exc:
        return {"ok": False, "broker": broker_name, "error": exc.__class__.__name__}
    return {
        "ok": True,
        "broker": broker_name,
        "queued": queued,
        "clusters": len(clusters),
        "last_success": last_success.isoformat() if last_success else None,
        "failures_last_24h": recent_failures,
    }
