"""The Content-Security-Policy in Chromium: the public pages, the board's dashboard, the door
and the back office's busiest pages load, styled, at a phone's and a laptop's width with not
one violation (the `browser` fixture, tests/browser.py, fails the test on any). Screenshots
are saved in test-artifacts/csp-*.png."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance import services as compliance_services
from events.services import invitations_create, rsvp_submit
from tests import dashboard_data, factories
from tests.browser import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@pytest.fixture
def site(live_server, administrator, board, organizer):
    cast = dashboard_data.build(timezone.localdate(), board_user=board)
    event = factories.make_event(name="Indy Dinner", slug="indy", organizers=[organizer])
    factories.make_ticket_type(event)
    guest = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    rsvp_submit(event=event, donor=guest, answer="yes", party_size=2)
    [invitation] = invitations_create(
        event=event, donors=[factories.make_donor(first_name="Omar", email="omar@example.org")]
    )
    factories.ensure_benefit_limits()
    receipt = compliance_services.receipt_issue(gift=factories.make_gift(amount=D("300.00")))
    return {
        "base": live_server.url,
        "donor": cast.ayesha,
        "public": {
            "donate": "/donate/",
            "event": "/events/indy/",
            "rsvp": f"/rsvp/{invitation.token}/",
            "verify": reverse("receipt_verify", args=[receipt.verification_code]),
        },
    }


def _log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_public_pages_load_styled_without_a_csp_violation(browser, site):
    for width, viewport in WIDTHS.items():
        page = browser.new_page(viewport=viewport)
        for name, url in site["public"].items():
            assert page.goto(site["base"] + url).ok, url
            page.screenshot(path=str(ARTIFACTS / f"csp-{name}-{width}.png"), full_page=True)
        page.goto(site["base"] + "/donate/")
        # The stylesheet moved out of the page still applies: the green button.
        button = page.locator("button[type=submit]")
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(31, 111, 74)"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_the_dashboard_and_the_door_draw_their_bars_and_search_without_a_csp_violation(
    browser, site
):
    for width, viewport in WIDTHS.items():
        page = browser.new_page(viewport=viewport)
        _log_in(page, site["base"], "charlie")
        page.goto(site["base"] + "/dashboard/")
        dinners = page.locator("[data-campaign=dinners]")
        bar = dinners.locator(".bar .received").bounding_box()
        track = dinners.locator(".bar").bounding_box()
        assert 0.15 < bar["width"] / track["width"] < 0.2  # 3,775 of 20,000, by a w-18 class
        page.screenshot(path=str(ARTIFACTS / f"csp-dashboard-{width}.png"), full_page=True)

    door = browser.new_page(viewport=WIDTHS["phone"])
    _log_in(door, site["base"], "dana")
    door.goto(site["base"] + "/events/indy/check-in/")
    door.fill("#search", "khan")
    door.locator(".party", has_text="Ayesha Khan").wait_for()  # the moved script searched


def test_the_back_office_pages_work_without_a_csp_violation(browser, site):
    page = browser.new_page(viewport=WIDTHS["laptop"])
    _log_in(page, site["base"], "alice")
    donor = site["donor"].pk
    for url in [
        reverse("admin:donors_donor_changelist"),
        reverse("admin:donors_donor_change", args=[donor]),
        reverse("admin:donors_donor_auditlog", args=[donor]),
        reverse("admin:donors_gift_changelist"),
        reverse("admin:donors_gift_import"),
        reverse("admin:compliance_receipt_changelist"),
    ]:
        assert page.goto(site["base"] + url).ok, url
    # The autocomplete widget (select2) builds its markup in the page.
    page.goto(site["base"] + reverse("admin:donors_pledge_add"))
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("ay")
    page.locator(".select2-results__option", has_text="Ayesha").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "csp-admin-pledge-laptop.png"), full_page=True)


def test_the_watch_reports_what_the_policy_refuses(browser, site):
    page = browser.new_page()
    page.goto(site["base"] + "/donate/")
    # What an injected payload would try: an inline style and an inline script.
    page.evaluate(
        """() => {
        const div = document.createElement("div");
        div.innerHTML = '<p style="color:red">x</p>';
        document.body.append(div);
        const script = document.createElement("script");
        script.textContent = "window.ran = true";
        document.body.append(script);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    problems = browser.take_problems()
    assert any("style-src" in p for p in problems), problems
    assert any("script-src" in p for p in problems), problems
