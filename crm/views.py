from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from crm.health import database_status, stripe_status, task_queue_status


@never_cache
@require_safe
def healthz(request):
    """200 when the database and the task queue answer, 503 otherwise (for load balancers)."""
    database = database_status()
    queue = task_queue_status(database_ok=database["ok"])
    healthy = database["ok"] and queue["ok"]
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "task_queue": queue,
            "stripe": stripe_status(database_ok=database["ok"]),
        },
        status=200 if healthy else 503,
    )
