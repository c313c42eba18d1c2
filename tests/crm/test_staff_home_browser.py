"""Staff open the back office on a laptop (1366 px) and a phone (390 px), in a real browser
(Debian's Chromium, driven by Playwright): today's work on top, each card a link to its
list, the apps below. Screenshots are saved in test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from compliance.models import ComplianceDeadline
from donors.models import ImportRun
from tests import factories
from tests.browser import ARTIFACTS


@pytest.fixture
def site(live_server, organization, staff):
    now = timezone.now()
    for first in ("Nadia", "Bilal", "Zara"):
        factories.make_gift(donor=factories.make_donor(first_name=first, last_name="Khan"))
    ImportRun.objects.create(
        kind="donors", file_name="spring.csv", rejected_rows="error\nbad email\n",
        started_at=now, finished_at=now,
    )  # fmt: skip
    ComplianceDeadline.objects.create(
        kind="form_990", fiscal_year=2025, due_date=datetime.date(2026, 5, 15)
    )
    factories.make_event(name="Spring Gala")
    return live_server.url


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_staff_see_todays_work_and_follow_a_card_to_its_list(site, browser, width, height):
    base = site
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    thanks = page.locator("[data-card=thanks]")
    assert thanks.locator(".count").inner_text() == "3"
    assert "Gifts to thank" in thanks.inner_text()
    assert page.locator("[data-card=receipts] .count").inner_text() == "3"
    assert page.locator("[data-card=imports] .count").inner_text() == "1"
    assert "No monthly payment is at risk." in page.locator("[data-card=failures]").inner_text()
    assert "IRS Form 990 (2025)" in page.locator("[data-card=deadlines]").inner_text()
    assert "Spring Gala" in page.locator("[data-card=events]").inner_text()
    assert page.locator("#content-main .app-donors").count() == 1  # the apps stay below
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = thanks.bounding_box()
    assert box["height"] >= 44  # a thumb's target on a phone
    page.screenshot(path=str(ARTIFACTS / f"staff-home-{width}.png"), full_page=False)
    assert browser.take_problems() == []

    thanks.click()
    page.wait_for_url(f"{base}/thanks/")
    assert page.locator("#thanks-list article").count() == 3
