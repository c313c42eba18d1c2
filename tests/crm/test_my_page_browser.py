"""The donor's own page in a real browser (Debian's Chromium driven by Playwright), on a
390 px phone and a 1366 px laptop: ask for a sign-in link, open it from the email Django
captured, download a receipt and read the PDF back, change the address, change the monthly
amount against the Stripe peer (then Stripe's webhook brings it back), and start a card
update on Stripe's Checkout. Screenshots are saved under test-artifacts/."""

from __future__ import annotations

import datetime
import json
import re
import urllib.request
from decimal import Decimal

import pytest
from django.core import mail

from compliance import services as compliance_services
from donors import services
from donors.models import DonorAddress, RecurringPlan, Task
from tests import factories
from tests.browser import ARTIFACTS
from tests.compliance.helpers import pdf_text
from tests.stripe_peer import event, sign

pytest.importorskip("playwright.sync_api", reason="needs pip install playwright")

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
LINK = re.compile(r"https?://\S+/my/sign-in/[A-Za-z0-9_-]+/")


def _webhook(base_url: str, evt: dict) -> None:
    """Stripe's delivery of ``evt`` to the running site, signed as Stripe signs it."""
    payload = json.dumps(evt).encode()
    request = urllib.request.Request(
        f"{base_url}/stripe/webhook/",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload)},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 200


def _fits(page, size: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{width} px wide: the page scrolls sideways"


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_donor_signs_in_downloads_a_receipt_and_changes_address_and_monthly_gift(
    browser, live_server, settings, stripe_on, staff, size
):
    settings.SITE_URL = live_server.url
    # The peer's Checkout stands in for https://checkout.stripe.com, where the policy lets
    # forms be redirected.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], stripe_on.url]}
    }
    factories.ensure_benefit_limits()
    donor = factories.make_donor(
        first_name="Ayesha",
        last_name="Khan",
        email="ayesha@example.org",
        address={"line1": "5 Elm St", "city": "Indianapolis", "region": "IN",
                 "postal_code": "46204"},
    )  # fmt: skip
    gift = factories.make_gift(donor=donor, amount=Decimal("250.00"))
    receipt = compliance_services.receipt_issue(gift=gift)
    paid = stripe_on.subscribe(cents=2500, email="ayesha@example.org", name="Ayesha Khan")
    plan = services.recurring_plan_create(
        donor=donor,
        amount=Decimal("25.00"),
        started_on=datetime.date.today(),
        stripe_subscription_id=paid["subscription"],
    )
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size], device_scale_factor=2 if phone else 1, is_mobile=phone,
        has_touch=phone, accept_downloads=True,
    )  # fmt: skip
    context.set_default_timeout(20_000)
    page = context.new_page()

    # Ask for the link.
    page.goto(f"{live_server.url}/my/")
    page.wait_for_url("**/my/sign-in/")
    _fits(page, size)
    page.fill("#id_email", "ayesha@example.org")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.wait_for_selector("#check-email")
    page.screenshot(path=str(ARTIFACTS / f"my-page-check-email-{size}.png"), full_page=True)

    # Open it from the email.
    (message,) = [m for m in mail.outbox if m.to == ["ayesha@example.org"]]
    page.goto(LINK.search(message.body).group(0))
    page.get_by_role("button", name="Open my page").click()
    page.wait_for_url(f"{live_server.url}/my/")
    assert page.locator("h1").inner_text() == "Ayesha Khan"
    _fits(page, size)
    page.screenshot(path=str(ARTIFACTS / f"my-page-{size}.png"), full_page=True)

    # The receipt, as issued.
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Receipt {receipt.number} (PDF)").click()
    data = open(download.value.path(), "rb").read()
    text = pdf_text(data)
    assert receipt.number in text and "Ayesha Khan" in text and "$250.00" in text

    # A new address.
    page.get_by_role("link", name="Change my details").click()
    page.wait_for_url("**/my/details/")
    _fits(page, size)
    page.fill("#id_line1", "77 Oak Ave")
    page.fill("#id_city", "Carmel")
    page.fill("#id_postal_code", "46032")
    page.screenshot(path=str(ARTIFACTS / f"my-page-details-{size}.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/my/")
    assert "77 Oak Ave, Carmel IN 46032" in page.locator("#my-address").inner_text()
    assert DonorAddress.objects.get(donor=donor).line1 == "77 Oak Ave"
    assert "77 Oak Ave" in Task.objects.get(donor=donor, owner=staff).what

    # A new monthly amount: Stripe changes the subscription, its webhook changes the plan.
    card = page.locator(f"#plan-{plan.pk}")
    card.locator("input[name=amount]").fill("40")
    card.get_by_role("button", name="Change amount").click()
    page.wait_for_selector(".messages")
    assert "becomes $40.00" in page.locator(".messages").inner_text()
    assert card.locator(".plan-amount").inner_text() == "$25.00"
    sub = stripe_on.subscription_object(plan.stripe_subscription_id)
    assert sub["items"]["data"][0]["price"]["unit_amount"] == 4000
    _webhook(live_server.url, event("customer.subscription.updated", sub))
    page.reload()
    assert card.locator(".plan-amount").inner_text() == "$40.00"
    plan.refresh_from_db()
    assert (plan.amount, plan.status) == (Decimal("40.00"), RecurringPlan.Status.ACTIVE)
    _fits(page, size)
    page.screenshot(path=str(ARTIFACTS / f"my-page-monthly-{size}.png"), full_page=True)

    # Update card: off to Stripe's Checkout (setup mode) for this subscription.
    card.get_by_role("button", name="Update card").click()
    page.wait_for_url(f"{stripe_on.url}/_config/checkout/**")
    assert page.locator("#setup").inner_text() == "Save a card"
    session = stripe_on.sessions[page.url.rsplit("/", 1)[-1]]
    assert session["mode"] == "setup"
    assert session["params"]["setup_intent_data"]["metadata"]["subscription"] == (
        plan.stripe_subscription_id
    )
    assert browser.take_problems() == []
