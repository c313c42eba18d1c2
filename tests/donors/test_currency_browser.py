"""Giving in pounds in a real browser (Debian's Chromium, driven by Playwright), on a 390 px
phone and at 1366 px: the donor chooses pounds on /donate/ (the amounts change in place), pays
on the Stripe peer's Checkout page, comes back thanked in pounds and dollars, and staff see the
gift in the admin at the dollars Stripe settled. Without JavaScript the chooser reloads the
page in pounds. Screenshots go to test-artifacts/.

The peer's Checkout page pays with its test card, settles £100.00 at 1.274 (US$127.40, fee
5.4% + 30c: $7.18) and posts the signed events to the live server's webhook, as Stripe would.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from donors.models import Gift, Organization
from donors.services import organization_save
from tests.browser import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def site(live_server, stripe_on, staff, settings):
    cache.clear()
    # The page's policy lets its form be redirected to Stripe's Checkout only: here, the
    # peer's Checkout page stands in for it.
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives["form-action"] = [*directives["form-action"], stripe_on.url]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    organization = Organization.objects.get()
    organization.donation_currencies = "GBP CAD EUR AED"
    organization_save(organization=organization)
    stripe_on.checkout_webhook_url = f"{live_server.url}/stripe/webhook/"
    yield live_server.url
    stripe_on.checkout_webhook_url = ""
    cache.clear()


def _page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, **options)
    context.set_default_timeout(20_000)
    return context.new_page()


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_a_donor_gives_in_pounds_and_staff_see_the_dollars_recorded(
    browser, site, stripe_on, name, viewport
):
    page = _page(browser, viewport)
    page.goto(f"{site}/donate/")
    assert page.get_by_role("radio", name="$50", exact=True).is_checked()
    page.get_by_label("Give in").select_option("GBP")
    # In place, by the page's script: the pounds' amounts, the button to reload is hidden.
    assert page.get_by_role("radio", name="£25", exact=True).is_checked()  # the second, as $50
    assert page.get_by_role("radio", name="$50", exact=True).count() == 0
    assert page.get_by_text("Other amount (GBP)").is_visible()
    assert not page.get_by_role("button", name="Show amounts in this currency").is_visible()
    page.get_by_role("radio", name="£100", exact=True).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(ARTIFACTS / f"currency-donate-gbp-{name}.png"), full_page=True)

    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{stripe_on.url}/_config/checkout/**")
    assert page.locator("#charge").inner_text() == "GBP 100.00"
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{site}/donate/thanks/**")
    summary = page.locator("#gift-summary").inner_text()
    assert "You gave £100.00." in summary
    assert "It was recorded as US$127.40" in summary
    page.screenshot(path=str(ARTIFACTS / f"currency-thanks-{name}.png"), full_page=True)

    gift = Gift.objects.get()
    staff = _page(browser, viewport)
    staff.goto(f"{site}/admin/login/?next=/admin/donors/gift/{gift.pk}/change/")
    staff.fill("#id_username", "bob")
    staff.fill("#id_password", "pw-bob")
    staff.click("input[type=submit]")
    staff.wait_for_url(f"{site}/admin/donors/gift/{gift.pk}/change/")
    assert staff.locator("#id_amount").input_value() == "127.40"
    staff.get_by_text("Processor", exact=True).click()  # a collapsed section: open it
    kept = staff.locator(".readonly").all_inner_texts()
    assert {"GBP", "100.000", "1.274000000"} <= set(kept)
    staff.screenshot(path=str(ARTIFACTS / f"currency-admin-gift-{name}.png"), full_page=True)


def test_without_javascript_the_currency_chooser_reloads_the_page_in_pounds(browser, site):
    page = _page(browser, PHONE, java_script_enabled=False)
    page.goto(f"{site}/donate/")
    page.get_by_label("Give in").select_option("GBP")
    page.get_by_role("button", name="Show amounts in this currency").click()
    page.wait_for_url(f"{site}/donate/?currency=GBP")
    assert page.get_by_role("radio", name="£25", exact=True).is_checked()
    assert page.get_by_text("Other amount (GBP)").is_visible()
    page.screenshot(path=str(ARTIFACTS / "currency-donate-no-script-phone.png"), full_page=True)
