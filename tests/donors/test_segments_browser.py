"""Staff build a segment in a real browser (Debian's Chromium, driven by Playwright): the count
follows the criteria as they are typed and ticked (the builder's script and the JSON count
page), then the saved segment lists its donors. Screenshots are saved in test-artifacts/."""

import datetime
from decimal import Decimal as D

import pytest

from donors.models import Organization, Segment
from donors.segments import current_fiscal_year
from tests import factories
from tests.browser import ARTIFACTS


@pytest.fixture
def site(live_server, organization, staff):
    last_start = Organization.current().fiscal_year_bounds(current_fiscal_year() - 1)[0]
    for first, state, gave in [("Amina", "IN", True), ("Chanda", "IN", False),
                               ("Bilal", "CA", True)]:  # fmt: skip
        donor = factories.make_donor(
            first_name=first,
            last_name="Khan",
            address={"line1": "1 Main St", "city": "Town", "region": state, "postal_code": "46204"},
        )
        if gave:
            factories.make_gift(
                donor=donor, amount=D("250.00"), gift_date=last_start + datetime.timedelta(days=20)
            )
    return live_server.url


def test_the_count_follows_the_criteria_as_they_are_filled_in(site, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page.goto(f"{site}/admin/login/?next=/admin/donors/segment/add/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/donors/segment/add/")

    from playwright.sync_api import expect

    count = page.locator("#segment-count")
    page.fill("#id_name", "Indiana lapsed")
    page.fill("#id_states", "IN")
    expect(count).to_have_text("2")
    assert "State: IN" in page.locator("#segment-criteria").inner_text()
    page.check("#id_lybunt")
    expect(count).to_have_text("1")
    page.fill("#id_lifetime_total__min", "lots")
    expect(count).to_have_text("–")
    assert "not a number" in page.locator("#segment-criteria").inner_text()
    page.fill("#id_lifetime_total__min", "100")
    expect(count).to_have_text("1")
    assert count.inner_text() == "1"
    page.screenshot(path=str(ARTIFACTS / "segment-builder.png"), full_page=True)
    # The count stays in view at the bottom of the window while the criteria are filled in.
    page.locator("#id_states").scroll_into_view_if_needed()
    box = count.bounding_box()
    assert 0 <= box["y"] <= 900
    page.screenshot(path=str(ARTIFACTS / "segment-builder-window.png"))
    page.mouse.wheel(0, 10000)
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "segment-builder-bottom.png"))

    page.click("input[name=_continue]")
    page.wait_for_load_state()
    segment = Segment.objects.get()
    assert segment.definition == {
        "lifetime_total": {"min": "100.00"},
        "lybunt": True,
        "states": ["IN"],
    }
    assert page.locator("#segment-preview tbody tr").count() == 1
    assert "Amina Khan" in page.locator("#segment-preview").inner_text()
    page.screenshot(path=str(ARTIFACTS / "segment-saved.png"), full_page=True)
