"""Fetching GlobalGiving's live figures and keeping each fetch, good or failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from common.door import service
from donors import globalgiving
from donors.models import Campaign, GlobalGivingFetch

SCHEDULE_NAME = "GlobalGiving sync"
SCHEDULE_FUNC = "donors.tasks.globalgiving_sync_task"


@dataclass
class SyncResult:
    configured: bool
    fetches: list[GlobalGivingFetch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.configured and all(f.ok for f in self.fetches)

    def as_dict(self) -> dict:
        return {
            "configured": self.configured,
            "ok": self.ok,
            "projects": [
                {
                    "project_id": f.project_id,
                    "ok": f.ok,
                    "fetched_at": f.fetched_at.isoformat(),
                    "funding": str(f.funding) if f.funding is not None else None,
                    "goal": str(f.goal) if f.goal is not None else None,
                    "remaining": str(f.remaining) if f.remaining is not None else None,
                    "number_of_donations": f.donation_count,
                    "status": f.project_status,
                    "http_status": f.http_status,
                    "error": f.error,
                }
                for f in self.fetches
            ],
        }


def globalgiving_project_ids() -> list[str]:
    """The configured project, and any active campaign's project."""
    ids = set(
        Campaign.objects.filter(is_active=True)
        .exclude(globalgiving_project_id="")
        .values_list("globalgiving_project_id", flat=True)
    )
    if settings.GLOBALGIVING_PROJECT_ID:
        ids.add(settings.GLOBALGIVING_PROJECT_ID)
    return sorted(ids)


@service
def globalgiving_sync(*, project_ids: list[str] | None = None) -> SyncResult:
    """Ask GlobalGiving for each project's figures and store the answer with its time.

    A failure is stored as a failed fetch with its reason; the last good figures stay the ones
    shown. Never raises for a down, slow or nonsensical API.
    """
    if not settings.GLOBALGIVING_API_KEY:
        return SyncResult(configured=False)
    result = SyncResult(configured=True)
    for project_id in project_ids if project_ids is not None else globalgiving_project_ids():
        fetch = GlobalGivingFetch(project_id=project_id, fetched_at=timezone.now())
        try:
            figures = globalgiving.fetch_project(
                base=settings.GLOBALGIVING_API_BASE,
                api_key=settings.GLOBALGIVING_API_KEY,
                project_id=project_id,
                timeout=settings.GLOBALGIVING_TIMEOUT,
                attempts=settings.GLOBALGIVING_ATTEMPTS,
                backoff=settings.GLOBALGIVING_RETRY_BACKOFF,
            )
        except globalgiving.GlobalGivingError as exc:
            fetch.ok = False
            fetch.http_status = exc.http_status
            fetch.error = str(exc)[:500]
        else:
            fetch.ok = True
            fetch.http_status = 200
            fetch.title = figures.title
            fetch.project_status = figures.status
            fetch.funding = figures.funding
            fetch.goal = figures.goal
            fetch.remaining = figures.remaining
            fetch.donation_count = figures.donation_count
        with transaction.atomic():
            fetch.full_clean()
            fetch.save()
        result.fetches.append(fetch)
    return result


@service
def globalgiving_schedule_ensure() -> None:
    """The hourly sync in django-q2's schedule: created once, never duplicated."""
    schedule, created = Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": SCHEDULE_FUNC, "schedule_type": Schedule.HOURLY, "repeats": -1},
    )
    if not created and (schedule.func, schedule.schedule_type) != (SCHEDULE_FUNC, Schedule.HOURLY):
        schedule.func, schedule.schedule_type = SCHEDULE_FUNC, Schedule.HOURLY
        schedule.save(update_fields=["func", "schedule_type"])
