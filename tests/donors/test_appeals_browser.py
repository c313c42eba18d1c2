"""An appeal's page in a real browser (Debian's Chromium, watched for Content-Security-Policy
violations): Staff see its results and lists, at desktop and phone widths."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS
from tests.donors.test_appeals import _results_cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_staff_read_an_appeals_results_on_its_page(
    live_server, organization, staff, browser, width, height
):
    appeal, _ = _results_cast()
    url = f"/admin/donors/appeal/{appeal.pk}/change/"
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.goto(f"{live_server.url}/admin/login/?next={url}")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{url}")
    assert page.locator("#raised").inner_text() == "$175.00"
    assert page.locator("#response-rate").inner_text() == "75.0%"
    assert page.locator("#cost-per-dollar").inner_text() == "$0.29"
    assert page.locator("#appeal-asked tbody tr").count() == 4
    assert page.locator("#appeal-gave tbody tr").count() == 3
    page.screenshot(path=str(ARTIFACTS / f"appeal-page-{width}.png"), full_page=True)
