"""The MSP demo: the organization profile, three years of donors and gifts, and one login per
role. ``manage.py quickstart`` is the only caller; everything is written through the services,
so the demo keeps the same rules as real data."""

from __future__ import annotations

import datetime

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from common.door import service
from crm.demo import data
from crm.demo.story import DEMO_SEED, MARKER_SLUG, MspStory
from crm.demo.users import (
    DEMO_LOGINS,
    DemoLogin,
    board_login_link,
    demo_users_ensure,
    organizer_events_link,
)
from donors import services
from donors.models import Campaign, Donor, Gift, Organization

__all__ = [
    "DEMO_LOGINS",
    "DEMO_SEED",
    "MARKER_SLUG",
    "DemoLogin",
    "board_login_link",
    "demo_data_load",
    "demo_data_loaded",
    "demo_data_state",
    "demo_users_ensure",
    "organization_ensure",
    "organizer_events_link",
]


def organization_ensure() -> tuple[Organization, bool]:
    """The MSP organization profile, created unless there is one (an edited one is kept)."""
    existing = Organization.current()
    if existing is not None:
        return existing, False
    return services.organization_save(organization=Organization(**data.ORGANIZATION)), True


def demo_data_loaded() -> bool:
    return Organization.current() is not None and Campaign.objects.filter(slug=MARKER_SLUG).exists()


def demo_data_state() -> str:
    """ "loaded", "empty" (safe to load into) or "foreign" (holds donors or gifts of its own)."""
    if demo_data_loaded():
        return "loaded"
    if Donor.objects.exists() or Gift.objects.exists():
        return "foreign"
    return "empty"


# The loader is a service of the shell: most of the story goes through the apps' services, but
# campaigns, funds, committees, the board, relationships, notes, tables and RSVPs with no
# service of their own yet are saved by recorder.save_validated (validated as services do).
@service
@transaction.atomic
def demo_data_load(*, today: datetime.date | None = None, seed: int = DEMO_SEED) -> dict:
    """Load the demo into a database without donors: all of it or, on any error, nothing.
    Returns the number of donors and of gifts."""
    if demo_data_state() != "empty":
        raise RuntimeError("the demo loads only into a database without donors or gifts")
    organization_ensure()
    # Three years of invented history never happened: the audit log is for what people do.
    # (Recording ~7,000 "created" entries for it would also triple the load time.)
    with disable_auditlog():
        return MspStory(today=today or timezone.localdate(), seed=seed).load()
