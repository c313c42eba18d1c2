"""Signing in to the back office: lockout after repeated failures, the second factor, password
reset, the idle timeout and where a sign-in lands, each through the requests a person makes."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from crm.services import two_factor_enrol, two_factor_secret_new
from tests import factories
from tests.processes import clean_env, manage

LOGIN = "/admin/login/"
two_factor_on = override_settings(TWO_FACTOR_REQUIRED=True)


def _sign_in(client, user, password=None, *, next_url="/admin/", address="203.0.113.7"):
    return client.post(
        LOGIN,
        {
            "username": user.username,
            "password": password or f"pw-{user.username}",
            "next": next_url,
        },
        REMOTE_ADDR=address,
    )


def _code(key_hex: str, *, steps_ahead: int = 0) -> str:
    return f"{totp(bytes.fromhex(key_hex), drift=steps_ahead):06d}"


def _enrolled(user) -> str:
    key = two_factor_secret_new()
    assert two_factor_enrol(user=user, key=key, code=_code(key)) is not None
    return key


def _sign_in_notes(user) -> list[str]:
    entries = LogEntry.objects.get_for_object(user).order_by("pk")
    return [
        entry.changes_dict["sign-in"][1] for entry in entries if "sign-in" in entry.changes_dict
    ]


def test_repeated_wrong_passwords_lock_the_login_even_for_the_right_password(client, staff):
    for _ in range(4):
        assert _sign_in(client, staff, "wrong").status_code == 200
    assert _sign_in(client, staff, "wrong").status_code == 429  # the fifth failure locks
    response = _sign_in(client, staff)

    assert response.status_code == 429
    assert "Signing in is locked" in response.content.decode()
    assert "opens again by itself after 60 minutes" in " ".join(response.content.decode().split())
    assert client.get("/admin/").status_code == 302  # not signed in
    assert any("locked out" in note for note in _sign_in_notes(staff))


def test_repeated_failures_from_one_address_lock_that_address_for_every_login(client, staff, board):
    for number in range(5):
        client.post(
            LOGIN, {"username": f"guess{number}", "password": "x"}, REMOTE_ADDR="198.51.100.9"
        )

    assert _sign_in(client, staff, address="198.51.100.9").status_code == 429
    # Another address is not locked.
    assert _sign_in(client, board, address="198.51.100.10").status_code == 302


def test_an_administrator_unlocks_a_locked_out_login_and_it_is_audited(
    client, administrator, staff
):
    for _ in range(6):
        _sign_in(client, staff, "wrong")
    admin_client = type(client)()
    admin_client.force_login(administrator)
    users = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    locked = re.findall(r'class="field-locked_out"><img src="[^"]*icon-(yes|no)', users)
    assert sorted(locked) == ["no", "yes"]  # alice, and bob locked

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [staff.pk]},
        follow=True,
    )

    assert "Signing in is unlocked for 1 user(s)." in response.content.decode()
    assert _sign_in(client, staff).status_code == 302
    entry = LogEntry.objects.get_for_object(staff).latest("pk")
    assert (entry.actor, entry.changes_dict["sign-in"][1]) == (administrator, "sign-in unlocked")


def test_a_sign_in_with_an_outside_next_lands_on_the_admin_index(client, staff):
    response = _sign_in(client, staff, next_url="https://evil.example.org/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    response = client.post(LOGIN, {"username": staff.username, "password": "pw-bob"})
    assert response["Location"] == "/admin/"


@two_factor_on
@pytest.mark.parametrize("page", ["/admin/", "/dashboard/", "/admin/donors/donor/"])
def test_staff_without_an_app_are_sent_to_set_one_up_after_their_password(client, staff, page):
    assert _sign_in(client, staff, next_url=page).status_code == 302

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == f"/account/two-factor/?next={page}"


@two_factor_on
def test_setting_up_an_app_with_its_code_turns_two_factor_on_and_shows_backup_codes(client, board):
    _sign_in(client, board, next_url="/dashboard/")
    page = client.get("/account/two-factor/?next=/dashboard/").content.decode()
    assert "Your role needs a second step at every sign-in" in page
    assert "<svg" in page  # the QR code
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    key = b32decode(secret).hex()

    for wrong in ("000000", "²²²²²²", "12 34", "x" * 16):
        response = client.post("/account/two-factor/", {"code": wrong, "next": "/dashboard/"})
        assert "That code did not match" in response.content.decode(), wrong
    done = client.post("/account/two-factor/", {"code": _code(key), "next": "/dashboard/"})

    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert client.get("/dashboard/").status_code == 200
    assert "enrolled an authenticator app" in _sign_in_notes(board)


@two_factor_on
def test_a_user_with_an_app_gives_its_code_after_the_password(client, staff):
    key = _enrolled(staff)
    _sign_in(client, staff, next_url="/admin/donors/donor/")

    assert client.get("/admin/donors/donor/")["Location"].startswith("/account/two-factor/verify/")
    # Nor can they set up another app to get past the code.
    assert client.get("/account/two-factor/")["Location"].startswith("/account/two-factor/verify/")
    wrong = client.post("/account/two-factor/verify/", {"code": "123456"})
    assert "That code did not work" in wrong.content.decode()
    time.sleep(1.1)  # django-otp makes the next try wait a second after a wrong code
    right = client.post(
        "/account/two-factor/verify/",
        {"code": _code(key, steps_ahead=1), "next": "/admin/donors/donor/"},
    )

    assert right["Location"] == "/admin/donors/donor/"
    assert client.get("/admin/donors/donor/").status_code == 200


@two_factor_on
def test_a_backup_code_signs_in_once(client, staff):
    key = two_factor_secret_new()
    _, codes = two_factor_enrol(user=staff, key=key, code=_code(key))
    _sign_in(client, staff)

    assert client.post("/account/two-factor/verify/", {"code": codes[0]})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post(reverse("admin:logout"))
    _sign_in(client, staff)
    time.sleep(0.1)
    again = client.post("/account/two-factor/verify/", {"code": codes[0]})
    assert again.status_code == 200 and "That code did not work" in again.content.decode()


@two_factor_on
def test_an_event_organizer_may_skip_two_factor(client, organizer):
    _sign_in(client, organizer)
    assert client.get("/admin/").status_code == 200
    page = client.get("/account/two-factor/").content.decode()
    assert "It is optional for your role" in page and "Not now" in page


@two_factor_on
def test_a_new_set_of_backup_codes_replaces_the_old_one(client, staff):
    key = two_factor_secret_new()
    _, old = two_factor_enrol(user=staff, key=key, code=_code(key))
    _sign_in(client, staff)
    client.post("/account/two-factor/verify/", {"code": old[0]})

    response = client.post("/account/two-factor/backup-codes/")

    new = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_two_factor_is_on_whenever_debug_is_off_and_off_in_the_quick_start():
    show = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    production = clean_env(DEBUG="false", SECRET_KEY="s" * 60, ALLOWED_HOSTS="example.org")
    assert manage("shell", "-c", show, env=production).stdout.split()[-1] == "True"
    assert manage("shell", "-c", show, env=clean_env()).stdout.split()[-1] == "False"
    off = manage("shell", "-c", show, env={**production, "TWO_FACTOR_REQUIRED": "false"})
    assert off.stdout.split()[-1] == "False"


def test_a_forgotten_password_is_reset_through_a_link_emailed_once(client, staff):
    staff.email = "bob@msp.example.org"
    staff.save()
    assert "/account/password-reset/" in client.get(LOGIN).content.decode()

    response = client.post("/account/password-reset/", {"email": "BOB@msp.example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    [message] = mail.outbox
    link = re.search(r"http://127\.0\.0\.1:8000(/account/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Please enter your new password twice" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase 7", "new_password2": "a long new passphrase 7"},
    )

    assert done["Location"] == "/account/reset/done/"
    assert client.get(done["Location"]).status_code == 200
    assert _sign_in(client, staff, "a long new passphrase 7").status_code == 302
    # The link worked once.
    assert "The password reset link was invalid" in client.get(link, follow=True).content.decode()


def test_password_reset_emails_are_limited_per_address(client, staff):
    for _ in range(5):
        client.post("/account/password-reset/", {"email": "someone@example.org"})
    response = client.post("/account/password-reset/", {"email": "someone@example.org"})
    assert response.status_code == 429
    assert "Too many password resets" in response.content.decode()


def _last_request_minutes_ago(client, minutes: float) -> None:
    key = f"signin:seen:{client.session.session_key}"
    cache.set(key, time.time() - minutes * 60, timeout=None)


def test_a_session_left_idle_longer_than_the_limit_is_signed_out(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200

    _last_request_minutes_ago(client, 29)
    assert client.get("/admin/").status_code == 200
    _last_request_minutes_ago(client, 31)
    response = client.get("/admin/donors/donor/")

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/admin/").status_code == 302


def test_a_session_whose_last_request_the_cache_no_longer_holds_counts_as_idle(client, staff):
    # The last-seen time outlives the limit only by so much: hours later it is gone from the
    # cache, and that must read as idle, not as a fresh session.
    _sign_in(client, staff)
    assert client.get("/admin/").status_code == 200

    cache.delete(f"signin:seen:{client.session.session_key}")

    assert client.get("/admin/").status_code == 302


@override_settings(SESSION_IDLE_MINUTES=5)
def test_the_idle_limit_is_a_setting(client, staff):
    client.force_login(staff)
    client.get("/admin/")
    _last_request_minutes_ago(client, 6)
    assert client.get("/admin/").status_code == 302


@two_factor_on
def test_an_organizer_who_set_up_an_app_gives_its_code_before_the_door_page(client, organizer):
    factories.make_organization()
    factories.make_event(name="Indy Dinner", slug="indy", organizers=[organizer])
    key = _enrolled(organizer)
    _sign_in(client, organizer, next_url="/events/indy/check-in/")

    response = client.get("/events/indy/check-in/")

    assert response["Location"] == "/account/two-factor/verify/?next=/events/indy/check-in/"
    code = client.post(
        response["Location"], {"code": _code(key, steps_ahead=1), "next": "/events/indy/check-in/"}
    )
    assert code["Location"] == "/events/indy/check-in/"
    assert client.get("/events/indy/check-in/").status_code == 200
