"""Administrators invite colleagues, change their roles and deactivate them, each audited with
who did it; nobody else may."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import user_has_device
from django_otp.oath import totp
from django_q.models import Schedule

from common import roles
from crm.services import InviteTokenGenerator, invite_link, two_factor_enrol, two_factor_secret_new

INVITE = "/admin/auth/user/invite/"
USERS = "/admin/auth/user/"


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def _invite(admin_client, email="rahim@msp.example.org", role=roles.STAFF):
    return admin_client.post(
        INVITE, {"email": email, "first_name": "Rahim", "last_name": "Ali", "role": role}
    )


def _link_path(message) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/account/invite/\S+/)", message.body).group(1)


def test_an_administrator_invites_a_colleague_who_sets_a_password_then_two_factor(
    admin_client, administrator
):
    response = _invite(admin_client)

    assert response["Location"] == USERS
    user = User.objects.get(username="rahim@msp.example.org")
    assert list(user.groups.values_list("name", flat=True)) == [roles.STAFF]
    assert user.is_staff and not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["rahim@msp.example.org"]
    assert "invited you to the back office as Staff" in message.body
    invitee = Client()
    form = invitee.get(_link_path(message), follow=True)
    assert "Choose a password for the back office" in form.content.decode()
    done = invitee.post(
        form.redirect_chain[-1][0],
        {"new_password1": "tea garden lantern 42", "new_password2": "tea garden lantern 42"},
    )

    assert done["Location"] == "/account/two-factor/"
    assert invitee.get("/account/two-factor/").status_code == 200  # signed in, enrolling
    user.refresh_from_db()
    assert user.check_password("tea garden lantern 42")
    invited = LogEntry.objects.get_for_object(user).filter(actor=administrator)
    assert any(e.changes_dict.get("sign-in", [""])[-1] == "invited as Staff" for e in invited)


def test_an_invitation_link_works_once(admin_client):
    _invite(admin_client)
    link = _link_path(mail.outbox[0])
    invitee = Client()
    form = invitee.get(link, follow=True)
    invitee.post(
        form.redirect_chain[-1][0],
        {"new_password1": "tea garden lantern 42", "new_password2": "tea garden lantern 42"},
    )

    again = Client().get(link, follow=True).content.decode()

    assert "This invitation link no longer works" in again


def test_an_old_invitation_link_no_longer_works(admin_client, settings):
    _invite(admin_client)
    user = User.objects.get(username="rahim@msp.example.org")

    class FourDaysAgo(InviteTokenGenerator):
        def _now(self):
            return datetime.now() - timedelta(hours=settings.PASSWORD_RESET_TIMEOUT // 3600 + 1)

    fresh = invite_link(user)
    stale = fresh.rsplit("/", 2)[0] + f"/{FourDaysAgo().make_token(user)}/"
    page = Client().get(stale.removeprefix(settings.SITE_URL), follow=True).content.decode()
    assert "This invitation link no longer works" in page


def test_an_address_already_signing_in_cannot_be_invited_again(admin_client, staff):
    staff.email = "bob@msp.example.org"
    staff.save()
    response = _invite(admin_client, email="Bob@msp.example.org")
    assert "Someone already signs in with bob@msp.example.org." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["staff", "board", "organizer"])
def test_only_administrators_invite_or_see_users(request, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.get(INVITE).status_code == 403
    assert _invite(client).status_code == 403
    assert client.get(USERS).status_code == 403
    assert not User.objects.filter(username="rahim@msp.example.org").exists()


def _act(admin_client, action, user):
    return admin_client.post(USERS, {"action": action, "_selected_action": [user.pk]}, follow=True)


def test_an_administrator_changes_a_role_and_the_change_is_audited(
    admin_client, administrator, staff
):
    response = _act(admin_client, "make_board_member", staff)

    assert "1 user(s) now have the role Board member." in response.content.decode()
    assert list(staff.groups.values_list("name", flat=True)) == [roles.BOARD_MEMBER]
    entry = LogEntry.objects.get_for_object(staff).latest("pk")
    assert entry.actor == administrator
    assert entry.changes_dict["groups"]["objects"] == [roles.BOARD_MEMBER]


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(admin_client, administrator, staff):
    their_session = Client()
    their_session.force_login(staff)

    _act(admin_client, "deactivate", staff)

    staff.refresh_from_db()
    assert not staff.is_active
    assert their_session.get("/admin/").status_code == 302
    refused = Client().post("/admin/login/", {"username": "bob", "password": "pw-bob"})
    assert refused.status_code == 200  # the form again, with its error
    entry = LogEntry.objects.get_for_object(staff).latest("pk")
    assert (entry.actor, entry.changes_dict["is_active"]) == (administrator, ["True", "False"])


def test_an_administrator_cannot_deactivate_themselves(admin_client, administrator):
    response = _act(admin_client, "deactivate", administrator)
    assert "You cannot deactivate yourself." in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.is_active


def test_resetting_a_lost_phone_removes_the_app_and_the_backup_codes(
    admin_client, administrator, staff
):
    key = two_factor_secret_new()
    two_factor_enrol(user=staff, key=key, code=f"{totp(bytes.fromhex(key)):06d}")
    assert "icon-yes" in admin_client.get(USERS).content.decode()

    _act(admin_client, "reset_two_factor", staff)

    assert not user_has_device(staff)
    entry = LogEntry.objects.get_for_object(staff).latest("pk")
    assert entry.actor == administrator
    assert entry.changes_dict["sign-in"][1] == "two-factor authentication reset"


def test_users_are_neither_added_by_hand_nor_deleted(admin_client, staff):
    assert admin_client.get("/admin/auth/user/add/").status_code == 403
    assert admin_client.get(f"/admin/auth/user/{staff.pk}/delete/").status_code == 403
    page = admin_client.get(USERS).content.decode()
    assert "Invite a colleague" in page and reverse("admin:auth_user_invite") in page


def test_an_invitation_refuses_a_name_with_a_control_character(admin_client):
    response = admin_client.post(
        INVITE,
        {"email": "rahim@msp.example.org", "first_name": "Ra\x0bhim", "role": roles.STAFF},
    )
    assert "Remove the control character U+000B" in response.content.decode()
    assert not User.objects.filter(username="rahim@msp.example.org").exists()


def test_every_admin_page_links_to_two_factor_set_up(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert '<a href="/account/two-factor/">Two-factor authentication</a>' in page


def test_an_administrator_sends_a_new_link_to_someone_who_has_not_set_a_password(
    admin_client, staff
):
    _invite(admin_client)
    invited = User.objects.get(username="rahim@msp.example.org")

    response = _act(admin_client, "invite_again", invited)
    refused = _act(admin_client, "invite_again", staff)

    assert "A new invitation link was sent to rahim@msp.example.org." in response.content.decode()
    assert [message.to for message in mail.outbox] == [["rahim@msp.example.org"]] * 2
    form = Client().get(_link_path(mail.outbox[1]), follow=True).content.decode()
    assert "Choose a password for the back office" in form
    assert "Bob has set a password already: no invitation sent." in refused.content.decode()


def test_an_administrator_edits_a_group_and_the_task_queue_through_services(client, administrator):
    """The shell's other admins (role groups, the task queue's schedules and results) write
    through crm.services: a group renamed with its permissions, a schedule added and deleted."""
    client.force_login(administrator)
    group = Group.objects.create(name="Volunteers")
    view_donor = Permission.objects.get(codename="view_donor")
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Volunteer callers", "permissions": [view_donor.pk]},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Volunteer callers"
    assert list(group.permissions.all()) == [view_donor]

    response = client.post(
        reverse("admin:django_q_schedule_add"),
        {"name": "nightly check", "func": "compliance.tasks.receipts_sync_task",
         "schedule_type": Schedule.DAILY, "repeats": "-1", "cluster": "",
         "next_run_0": "2030-01-01", "next_run_1": "03:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    schedule = Schedule.objects.get(name="nightly check")
    response = client.post(
        reverse("admin:django_q_schedule_changelist"),
        {"action": "delete_selected", "_selected_action": [schedule.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Schedule.objects.filter(name="nightly check").exists()
