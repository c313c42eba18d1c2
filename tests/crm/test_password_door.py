"""Passwords change only through the service, on every page that changes one: the reset link,
the signed-in user's own "Change password", an Administrator's "Set password" on a user's
page. Each test guards Django's auth app as the one door guards the back office's apps, so a
page that saved the user itself would fail here; and each change leaves an audit entry that
names who made it and masks the hash."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

NEW = "a long new passphrase 7"


@pytest.fixture
def auth_guarded(settings):
    settings.ONE_DOOR_APPS = (*settings.ONE_DOOR_APPS, "auth")


def _password_entries(user) -> list[LogEntry]:
    entries = LogEntry.objects.get_for_object(user).filter(action=LogEntry.Action.UPDATE)
    return [e for e in entries if "password" in e.changes_dict]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_sets_a_colleagues_password_through_the_service(
    auth_guarded, administrator, staff
):
    page = f"/admin/auth/user/{staff.pk}/password/"
    client = _signed_in(administrator)
    assert "Change password" in client.get(page).content.decode()

    response = client.post(
        page, {"password1": NEW, "password2": NEW, "usable_password": "true"}, follow=True
    )

    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.check_password(NEW)
    [entry] = _password_entries(staff)
    assert entry.actor == administrator
    assert NEW not in str(entry.changes) and staff.password not in str(entry.changes)


def test_a_weak_password_is_refused_with_a_message_and_nothing_changes(
    auth_guarded, administrator, staff
):
    before = User.objects.get(pk=staff.pk).password
    response = _signed_in(administrator).post(
        f"/admin/auth/user/{staff.pk}/password/",
        {"password1": "123", "password2": "123", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert User.objects.get(pk=staff.pk).password == before
    assert _password_entries(staff) == []


def test_a_signed_in_user_changes_their_own_password_through_the_service(auth_guarded, staff):
    staff.set_password("old passphrase for bob 1")
    staff.save()
    before = len(_password_entries(staff))
    client = _signed_in(staff)
    form = client.get("/admin/password_change/")
    assert "Old password" in form.content.decode()

    response = client.post(
        "/admin/password_change/",
        {"old_password": "old passphrase for bob 1", "new_password1": NEW, "new_password2": NEW},
    )

    assert response["Location"] == "/admin/password_change/done/"
    staff.refresh_from_db()
    assert staff.check_password(NEW)
    [entry] = _password_entries(staff)[: len(_password_entries(staff)) - before]
    assert entry.actor == staff
    # Still signed in: the session follows the new password.
    assert client.get("/admin/").status_code == 200


def test_a_reset_link_sets_the_password_through_the_service(auth_guarded, client, staff):
    staff.email = "bob@msp.example.org"
    staff.save()
    client.post("/account/password-reset/", {"email": "bob@msp.example.org"})
    [message] = mail.outbox
    link = re.search(r"http://127\.0\.0\.1:8000(/account/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)

    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done["Location"] == "/account/reset/done/"
    staff.refresh_from_db()
    assert staff.check_password(NEW)
    assert len(_password_entries(staff)) == 1
