"""The guest's pages in a real browser (Debian's Chromium driven by Playwright) on a phone
(390 px) and a laptop (1366 px), screenshots under test-artifacts/: the RSVP form is one tap
from the top, a failed submit shows its errors on screen, a full event says so, and an invited
guest's "No" hides the party's fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from events.models import RSVP
from events.services import invitations_create, rsvp_submit
from tests import factories
from tests.browser import ARTIFACTS

expect = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright").expect

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {
    "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
    "laptop": dict(viewport={"width": 1366, "height": 768}),
}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    """(name, page) for each screen size."""
    context = browser.new_context(device_scale_factor=1, **SCREENS[request.param])
    context.set_default_timeout(15_000)
    return request.param, context.new_page()


def _dinner():
    factories.make_organization(
        ca_disclosure="The deductible share of your ticket is {deductible}."
    )
    event = factories.make_event(
        name="Bay Area Dinner", slug="bay-dinner", capacity=6, city="Santa Clara", state="CA",
        time_zone="America/Los_Angeles",
        description="An evening with our partners from Lahore and Karachi.\n" * 3,
    )  # fmt: skip
    factories.make_ticket_type(
        event, name="Dinner seat", price=Decimal("150.00"), fair_market_value=Decimal("60.00"),
        quantity=20,
    )  # fmt: skip
    factories.make_ticket_type(
        event, name="Table of 10", price=Decimal("2500.00"), fair_market_value=Decimal("60.00"),
        seats=10, quantity=2,
    )  # fmt: skip
    return event


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_rsvp_form_is_one_tap_from_the_top_and_its_errors_show_on_screen(screen, live_server):
    name, page = screen
    _dinner()

    page.goto(f"{live_server.url}/events/bay-dinner/")
    top = page.locator("#ways-to-come")
    expect(top).to_be_in_viewport()
    expect(top).to_contain_text("RSVP is free: it tells us you’re coming.")
    expect(top).to_contain_text("$90.00 is tax-deductible")
    expect(page.locator("#rsvp-form")).not_to_be_in_viewport()
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"event-public-top-{name}.png"))

    page.locator("#jump-rsvp").click()
    expect(page.locator("#rsvp-form h2")).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / f"event-public-rsvp-{name}.png"))

    form = page.locator("#rsvp-form")
    form.get_by_label("Last name").fill("Raza")
    form.get_by_label("Email").fill("bilal@example")
    form.get_by_label("Yes, I will come").check()
    form.get_by_role("button", name="Send my answer").click()

    errors = page.locator("#form-errors")
    expect(errors).to_be_in_viewport()
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("First name: This field is required.")
    expect(errors).to_contain_text("Email: Enter a valid email address.")
    page.screenshot(path=str(ARTIFACTS / f"event-public-rsvp-errors-{name}.png"))
    assert not RSVP.objects.exists()

    # Each error links to its field.
    errors.get_by_role("link", name="First name").click()
    expect(page.locator("#rsvp-form").get_by_label("First name")).to_be_focused()


def test_a_refused_ticket_purchase_shows_why_on_screen(screen, live_server):
    name, page = screen
    _dinner()

    page.goto(f"{live_server.url}/events/bay-dinner/")
    page.locator("#jump-tickets").click()
    form = page.locator("#ticket-form")
    form.get_by_label("First name").fill("Farah")
    form.get_by_label("Last name").fill("Iqbal")
    form.get_by_label("Email").fill("farah@example.org")
    form.get_by_label("I am paying from a donor-advised fund (DAF)").check()
    form.get_by_role("button", name="Continue to payment").click()

    errors = page.locator("#ticket-errors")
    expect(errors).to_be_in_viewport()
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("DAF money cannot pay for tickets")
    page.screenshot(path=str(ARTIFACTS / f"event-public-ticket-errors-{name}.png"))


def test_a_full_event_says_so_at_the_top_and_offers_the_waitlist(screen, live_server):
    name, page = screen
    event = _dinner()
    rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=4)
    rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=2)

    page.goto(f"{live_server.url}/events/bay-dinner/")

    full = page.locator("#event-full")
    expect(full).to_be_in_viewport()
    expect(full).to_contain_text("This event is full.")
    expect(page.locator("#ticket-form")).to_have_count(0)
    expect(page.locator("#tickets")).to_contain_text("Event full")
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"event-public-full-{name}.png"), full_page=True)

    page.locator("#jump-rsvp").click()
    expect(page.get_by_label("Yes, put me on the waitlist")).to_be_in_viewport()


def test_an_invited_guest_sees_their_answer_first_and_a_no_hides_the_party(screen, live_server):
    name, page = screen
    event = _dinner()
    guest = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    [invitation] = invitations_create(event=event, donors=[guest])
    rsvp_submit(event=event, donor=guest, answer="yes", party_size=2, guest_names="Omar Khan")

    page.goto(f"{live_server.url}/rsvp/{invitation.token}/")
    answer = page.locator("#current-answer")
    expect(answer).to_be_in_viewport()
    expect(answer).to_contain_text("Your answer: Yes, I will come, party of 2.")
    _no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"rsvp-invitation-top-{name}.png"))

    page.locator("#change-answer").click()
    expect(page.locator("#rsvp-form h2")).to_be_in_viewport()
    names = page.get_by_label("Guest 2's name")
    expect(names).to_have_value("Omar Khan")

    page.get_by_label("No, I cannot come").check()
    expect(page.locator("#party-fields")).to_be_hidden()
    expect(names).to_have_value("")
    page.screenshot(path=str(ARTIFACTS / f"rsvp-invitation-no-{name}.png"))
    # Changed their mind before sending: what they typed comes back.
    page.get_by_label("Yes, I will come").check()
    expect(names).to_have_value("Omar Khan")

    page.get_by_label("No, I cannot come").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#rsvp-done")).to_contain_text("You answered that you cannot come.")
    rsvp = RSVP.objects.get(event=event, donor=guest)
    assert (rsvp.answer, rsvp.guest_names) == ("no", "")

    page.goto(f"{live_server.url}/rsvp/{invitation.token}/")
    expect(page.locator("#current-answer")).to_contain_text("Your answer: No, I cannot come.")
    expect(page.locator("#party-fields")).to_be_hidden()
