"""The dashboard in a real browser (Debian's Chromium, driven by Playwright): a board member
logs in, opens the dashboard, and sees the charts drawn and the progress figures, on a laptop
and on a phone. Screenshots are saved in test-artifacts/."""

import pytest
from django.utils import timezone

from tests import dashboard_data as data
from tests.browser import ARTIFACTS


@pytest.fixture
def site(live_server, organization, board):
    from donors.models import GlobalGivingFetch

    data.build(timezone.localdate(), board_user=board)
    GlobalGivingFetch.objects.create(
        project_id="98765", ok=True, funding="18342.50", goal="50000", donation_count=212
    )
    return live_server.url


def _log_in(page, base):
    page.goto(f"{base}/admin/login/?next=/dashboard/")
    page.fill("#id_username", "charlie")
    page.fill("#id_password", "pw-charlie")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")


def test_board_member_sees_charts_and_progress_in_a_browser(site, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    _log_in(page, site)
    dinners = page.locator("[data-campaign=dinners]")
    assert dinners.locator(".progress-received").inner_text() == "$3,775.00"
    assert dinners.locator(".progress-pledged").inner_text() == "$600.00"
    assert page.locator("[data-campaign=gg] .progress-received").inner_text() == "$18,542.50"
    bar = dinners.locator(".bar .received").bounding_box()
    track = dinners.locator(".bar").bounding_box()
    assert 0.15 < bar["width"] / track["width"] < 0.2  # 3,775 of 20,000
    this_year = page.locator("#month-chart rect.bar-this").first.bounding_box()
    assert this_year["height"] > 50  # the first month holds all of this year's giving
    assert page.locator(".channel").count() == 6
    assert page.locator("#board-participation").inner_text() == "100%"
    page.screenshot(path=str(ARTIFACTS / "dashboard-board.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    _log_in(phone, site)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("#month-chart").bounding_box()["width"] <= 390
    phone.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)

    page.emulate_media(media="print")
    assert not page.locator("header.top a").first.is_visible()
    page.pdf(path=str(ARTIFACTS / "dashboard-print.pdf"))
