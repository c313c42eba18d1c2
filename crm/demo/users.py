"""One demo login per role. The passwords are fixed and printed: demo use only."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Q

from common import roles
from common.door import service
from donors.models import BoardMember, BoardRole
from events.models import Event

# (username, role, password). Fixed so the quick start can print them; never for real data.
DEMO_LOGINS = (
    ("admin", roles.ADMINISTRATOR, "msp-demo-admin"),
    ("staff", roles.STAFF, "msp-demo-staff"),
    ("board", roles.BOARD_MEMBER, "msp-demo-board"),
    ("organizer", roles.EVENT_ORGANIZER, "msp-demo-organizer"),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    # The demo password while it still works; None once someone changed it.
    password: str | None
    created: bool


@transaction.atomic
def demo_users_ensure() -> list[DemoLogin]:
    """Create the demo users that are missing; users that exist are never changed."""
    logins = []
    for username, role, password in DEMO_LOGINS:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            # hashers.check_password, not User.check_password: that one may re-hash and save.
            still_demo = existing.is_active and check_password(password, existing.password)
            known = password if still_demo else None
            logins.append(DemoLogin(username, role, known, created=False))
            continue
        user = User.objects.create_user(
            username=username,
            password=password,
            email=f"{username}@msp.example.org",
            first_name="Demo",
            last_name=role,
            is_staff=True,
        )
        user.groups.add(Group.objects.get(name=role))
        logins.append(DemoLogin(username, role, password, created=True))
    return logins


@service  # the demo's own service: a BoardMember has no service to link a login yet
@transaction.atomic
def board_login_link(*, username: str = "board") -> BoardMember | None:
    """Give the demo board login a seat (the chair's, else the first free one) so it can keep
    its own goals. Does nothing when it has one, or when there is no such user or free seat."""
    user = User.objects.filter(username=username, groups__name=roles.BOARD_MEMBER).first()
    if user is None:
        return None
    seat = BoardMember.objects.filter(user=user).select_related("donor").first()
    if seat is not None:
        return seat
    free = BoardMember.objects.filter(user__isnull=True).select_related("donor")
    seat = free.filter(role=BoardRole.CHAIR).first() or free.order_by("pk").first()
    if seat is None:
        return None
    seat.user = user
    seat.save(update_fields=["user"])
    return seat


# The demo's dinners (crm/demo/story.py), whose slugs end with their year.
DEMO_EVENT_SLUG_PREFIXES = ("indianapolis-dinner-", "sf-bay-area-dinner-")


@transaction.atomic
def organizer_events_link(*, username: str = "organizer") -> list[str]:
    """Make the demo organizer login an organizer of the demo's dinners (an organizer sees
    only the events they run). Returns the names of the events it runs; nothing is done when
    there is no such user."""
    user = User.objects.filter(username=username, groups__name=roles.EVENT_ORGANIZER).first()
    if user is None:
        return []
    demo = Q()
    for prefix in DEMO_EVENT_SLUG_PREFIXES:
        demo |= Q(slug__startswith=prefix)
    events = list(Event.objects.filter(demo))
    user.organized_events.add(*events)
    return sorted(e.name for e in user.organized_events.all())
