""" "My events" in a real browser (Debian's Chromium driven by Playwright): on a 390 px phone
and a 1366 px laptop the page fits with no sideways scroll, and the counts and links are there.
Screenshots are saved under test-artifacts/."""

from __future__ import annotations

import pytest

from events.services import rsvp_check_in, rsvp_submit, walk_in_add
from tests import factories
from tests.browser import ARTIFACTS

pytest.importorskip("playwright.sync_api", reason="needs pip install playwright")

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_my_events_fits_a_phone_and_a_laptop(browser, live_server, organizer, size):
    factories.make_organization()
    event = factories.make_event(
        name="Annual Dinner of the Friends of the Karachi Public Library (Indianapolis Chapter)",
        slug="annual-dinner-friends-karachi-public-library-indianapolis",
        venue="The Grand Ballroom at the Crowne Plaza Indianapolis Downtown Union Station",
        capacity=180,
        organizers=[organizer],
    )
    factories.make_event(name="Spring Lunch", slug="spring-lunch", organizers=[organizer])
    for party in (4, 2, 3):
        rsvp = rsvp_submit(
            event=event, donor=factories.make_donor(), answer="yes", party_size=party
        )
    rsvp_check_in(rsvp=rsvp, count=2)
    walk_in_add(event=event, first_name="Late", last_name="Comer", count=2)
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size], device_scale_factor=2 if phone else 1, is_mobile=phone,
        has_touch=phone,
    )  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto(f"{live_server.url}/admin/login/?next=/my-events/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw-dana")
    page.click("input[type=submit]")
    page.wait_for_url("**/my-events/")
    page.screenshot(path=str(ARTIFACTS / f"my-events-{size}.png"), full_page=True)

    card = page.locator(f"#event-{event.slug}")
    assert card.locator("dd.expected").inner_text() == "9"
    assert card.locator("dd.arrived").inner_text() == "2"
    assert card.locator("dd.walk-ins").inner_text() == "2"
    assert card.locator("dd.seats-left").inner_text() == "169"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{width} px wide: the page scrolls sideways"
    door = card.get_by_role("link", name="Door check-in")
    box = door.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= SIZES[size]["width"]
    door.click()
    page.wait_for_url(f"**/events/{event.slug}/check-in/")
    assert browser.take_problems() == []
