"""A role change leaves a trace: the user's groups, the one removed and the one added, each
with the Administrator who changed it; and a change of what a role may do (its permissions)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client

from common import roles

pytestmark = pytest.mark.django_db


def test_a_role_change_in_the_users_admin_records_the_group_left_and_the_group_joined(
    administrator, staff
):
    client = Client()
    client.force_login(administrator)
    before = LogEntry.objects.get_for_object(staff).count()

    response = client.post(
        "/admin/auth/user/", {"action": "make_event_organizer", "_selected_action": [staff.pk]}
    )

    assert response.status_code == 302
    entries = list(LogEntry.objects.get_for_object(staff).order_by("pk"))[before:]
    changes = [(e.actor, e.changes_dict["groups"]) for e in entries]
    assert changes == [
        (administrator, {"type": "m2m", "operation": "delete", "objects": [roles.STAFF]}),
        (administrator, {"type": "m2m", "operation": "add", "objects": [roles.EVENT_ORGANIZER]}),
    ]


def test_what_a_role_may_do_changed_in_the_groups_admin_is_recorded(administrator):
    group = Group.objects.get(name=roles.EVENT_ORGANIZER)
    client = Client()
    client.force_login(administrator)
    kept = list(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="view_gift")

    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": group.name, "permissions": [str(pk) for pk in [*kept, extra.pk]]},
    )

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(group).latest("pk")
    assert entry.actor == administrator
    assert entry.changes_dict["permissions"]["operation"] == "add"
    assert entry.changes_dict["permissions"]["objects"] == [str(extra)]
