"""The sign-in journey in a real browser (Debian's Chromium driven by Playwright), with two-factor
authentication on as in production: an Administrator invites a Staff member, who sets a
password, sets up an authenticator app, signs in with a code, is locked out after repeated
failures and is let back in by the Administrator. Screenshots of the set-up page, phone and
laptop sized, go to test-artifacts/."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from common import roles
from crm.services import two_factor_enrol, two_factor_secret_new
from tests.browser import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def _next_code(username: str) -> str:
    """The code the user's app shows for the next time step not used yet."""
    device = TOTPDevice.objects.get(user__username=username)
    return f"{hotp(device.bin_key, device.last_t + 1):06d}"


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    return context.new_page()


def _sign_in(page, url, username, password):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_an_invited_staff_member_signs_in_with_two_factor_is_locked_out_and_let_back_in(
    browser, live_server, administrator, settings
):
    settings.TWO_FACTOR_REQUIRED = True
    url = live_server.url
    key = two_factor_secret_new()
    two_factor_enrol(user=administrator, key=key, code=f"{totp(bytes.fromhex(key)):06d}")

    # The Administrator signs in (password, then the code) and invites a colleague.
    boss = _page(browser, LAPTOP)
    _sign_in(boss, url, "alice", "pw-alice")
    boss.wait_for_url("**/account/two-factor/verify/**")
    boss.get_by_role("textbox", name="Code").fill(_next_code("alice"))
    boss.get_by_role("button", name="Sign in").click()
    boss.wait_for_url(f"{url}/admin/")
    boss.goto(f"{url}/admin/auth/user/")
    boss.get_by_role("link", name="Invite a colleague").click()
    boss.get_by_label("Email address").fill("rahim@msp.example.org")
    boss.get_by_label("First name").fill("Rahim")
    boss.get_by_label("Role").select_option(roles.STAFF)
    boss.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to rahim@msp.example.org as Staff." in boss.inner_text("ul.messagelist")

    # The invitee follows the link, chooses a password and sets up their app.
    link = re.search(r"(http://\S+/account/invite/\S+/)", mail.outbox[-1].body).group(1)
    page = _page(browser, PHONE)
    page.goto(link.replace(settings.SITE_URL, url))
    page.get_by_label("Password:", exact=True).fill("tea garden lantern 42")
    page.get_by_label("The same password again:").fill("tea garden lantern 42")
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url("**/account/two-factor/")
    assert "Your role needs a second step" in page.inner_text("#content-main")
    page.screenshot(path=str(ARTIFACTS / "two-factor-setup-390.png"), full_page=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(ARTIFACTS / "two-factor-setup-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    secret = page.get_attribute("#totp-secret", "data-secret")
    page.get_by_role("textbox", name="Code").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert len(page.locator("#backup-codes li").all()) == 10
    page.screenshot(path=str(ARTIFACTS / "two-factor-backup-codes-390.png"), full_page=True)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{url}/admin/")

    # Signed out, they sign in again: password, then a code from the app.
    page.get_by_role("button", name="Log out").click()
    _sign_in(page, url, "rahim@msp.example.org", "tea garden lantern 42")
    page.wait_for_url("**/account/two-factor/verify/**")
    page.screenshot(path=str(ARTIFACTS / "two-factor-code-390.png"), full_page=True)
    page.get_by_role("textbox", name="Code").fill(_next_code("rahim@msp.example.org"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    page.get_by_role("button", name="Log out").click()

    # Five wrong passwords lock the login; then even the right one is refused.
    for _ in range(5):
        _sign_in(page, url, "rahim@msp.example.org", "wrong password")
    assert "Signing in is locked" in page.inner_text("#content-main")
    page.screenshot(path=str(ARTIFACTS / "sign-in-locked-390.png"), full_page=True)
    _sign_in(page, url, "rahim@msp.example.org", "tea garden lantern 42")
    assert "Signing in is locked" in page.inner_text("#content-main")

    # The Administrator unlocks them; they sign in.
    boss.goto(f"{url}/admin/auth/user/?q=rahim")
    boss.locator("input[name=_selected_action]").check()
    boss.locator("select[name=action]").select_option("unlock_sign_in")
    boss.get_by_role("button", name="Go").click()
    assert "Signing in is unlocked for 1 user(s)." in boss.inner_text("ul.messagelist")
    _sign_in(page, url, "rahim@msp.example.org", "tea garden lantern 42")
    page.wait_for_url("**/account/two-factor/verify/**")
    page.get_by_role("textbox", name="Code").fill(_next_code("rahim@msp.example.org"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    assert "welcome, rahim" in page.inner_text("#user-tools").lower()
