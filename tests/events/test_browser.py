"""Journeys in a real browser (Debian's Chromium driven by Playwright), phone-sized, with
screenshots saved under test-artifacts/: a guest answers an invitation, a guest answers on the
public page and confirms from the email, an organizer checks a party in at the door."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from events.models import RSVP
from events.services import invitations_create, rsvp_submit
from tests import factories
from tests.browser import ARTIFACTS

PHONE = {"width": 390, "height": 844}
expect = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright").expect

pytestmark = pytest.mark.django_db(transaction=True)


def _phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def test_a_guest_answers_an_invitation_on_a_phone(browser, live_server):
    factories.make_organization(
        ca_disclosure="The deductible share of your ticket is {deductible}."
    )
    event = factories.make_event(
        name="Fremont Dinner",
        slug="fremont",
        city="Fremont",
        state="CA",
        time_zone="America/Los_Angeles",
    )
    factories.make_ticket_type(event)
    guest = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    [invitation] = invitations_create(event=event, donors=[guest])
    page = _phone(browser)

    page.goto(f"{live_server.url}/rsvp/{invitation.token}/")
    assert "The deductible share of your ticket is $90.00." in page.inner_text("#tickets")
    page.get_by_label("Yes, I will come").check()
    page.get_by_label("How many of you, yourself included").select_option("2")
    page.get_by_label("Your guests' names").fill("Omar Khan")
    page.get_by_label("Dietary needs (vegetarian, allergies…)").fill("vegetarian")
    page.screenshot(path=str(ARTIFACTS / "rsvp-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Send my answer").click()

    assert "You are confirmed for Fremont Dinner, party of 2." in page.inner_text("#rsvp-done")
    page.screenshot(path=str(ARTIFACTS / "rsvp-confirmed-phone.png"), full_page=True)
    rsvp = RSVP.objects.get(event=event, donor=guest)
    assert (rsvp.answer, rsvp.party_size, rsvp.guest_names, rsvp.dietary_needs) == (
        "yes",
        2,
        "Omar Khan",
        "vegetarian",
    )


def test_an_organizer_checks_a_party_in_at_the_door(browser, live_server, organizer):
    factories.make_organization()
    event = factories.make_event(name="Indy Dinner", slug="indy", organizers=[organizer])
    khan = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    rsvp_submit(event=event, donor=khan, answer="yes", party_size=3, dietary_needs="halal")
    rsvp_submit(event=event, donor=factories.make_donor(last_name="Raza"), answer="yes")
    page = _phone(browser)

    page.goto(f"{live_server.url}/admin/login/?next=/events/indy/check-in/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw-dana")
    page.click("input[type=submit]")
    page.wait_for_url("**/events/indy/check-in/")
    assert page.inner_text("#count-expected") == "4"

    page.fill("#search", "khan")
    party = page.locator(".party", has_text="Ayesha Khan")
    party.get_by_label("How many came").fill("2")
    party.get_by_role("button", name="Check in").click()

    # Waits through locators: wait_for_function polls with eval(), which the CSP refuses.
    expect(page.locator("#count-arrived")).to_have_text("2")
    assert page.inner_text("#status") == "Checked in Ayesha Khan, party of 3 (2 of 3 arrived)."
    page.locator(".party.in", has_text="Ayesha Khan").wait_for()
    page.screenshot(path=str(ARTIFACTS / "door-check-in-phone.png"), full_page=True)
    rsvp = RSVP.objects.get(event=event, donor=khan)
    assert rsvp.checked_in_count == 2

    page.locator(".party", has_text="Ayesha Khan").get_by_role("button", name="Undo").click()
    expect(page.locator("#count-arrived")).to_have_text("0")
    rsvp.refresh_from_db()
    assert rsvp.checked_in_count == 0


def test_a_guest_answers_on_the_public_page_and_confirms_from_the_email_on_a_phone(
    browser, live_server
):
    factories.make_organization()
    event = factories.make_event(name="Indy Dinner", slug="indy", capacity=50)
    page = _phone(browser)

    page.goto(f"{live_server.url}/events/indy/")
    page.get_by_label("First name").fill("Bilal")
    page.get_by_label("Last name").fill("Raza")
    page.get_by_label("Email").fill("bilal@example.org")
    page.get_by_label("Yes, I will come").check()
    page.get_by_label("How many of you, yourself included").select_option("2")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.locator("#rsvp-check-email")).to_contain_text("We have emailed a link")
    page.screenshot(path=str(ARTIFACTS / "rsvp-public-check-email-phone.png"), full_page=True)
    assert not RSVP.objects.exists()
    [link] = re.findall(r"http://[^/]+(/events/indy/confirm/\S+/)", mail.outbox[-1].body)
    page.goto(live_server.url + link)
    expect(page.locator("#rsvp-confirm")).to_contain_text("yes, for a party of 2")
    page.get_by_role("button", name="Confirm my answer").click()

    done = page.locator("#rsvp-done")
    expect(done).to_contain_text("You are confirmed for Indy Dinner, party of 2.")
    page.screenshot(path=str(ARTIFACTS / "rsvp-public-confirmed-phone.png"), full_page=True)
    rsvp = RSVP.objects.get(event=event)
    assert (rsvp.donor.display_name, rsvp.answer, rsvp.party_size) == ("Bilal Raza", "yes", 2)
