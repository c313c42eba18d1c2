"""A donor whose monthly payment failed opens the email's link in a real browser (Debian's
Chromium through Playwright), on a 390 px phone and at 1366 px, and gives a new card through
Stripe Checkout in setup mode (the local Stripe peer); screenshots under test-artifacts/."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from donors.models import PaymentFailure
from tests.browser import ARTIFACTS
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

expect = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright").expect

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 900}},
}  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
def test_a_donor_opens_the_failed_payment_email_and_updates_the_card(
    browser, live_server, stripe_on, settings, size
):
    settings.SITE_URL = live_server.url
    # The peer stands in for checkout.stripe.com, which the policy lets forms redirect to.
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], stripe_on.url]},
    }
    paid = stripe_on.subscribe(cents=2500, email="bilal@example.org")
    sub_id = paid["subscription"]
    deliver(event("customer.subscription.created", stripe_on.subscription_object(sub_id)))
    deliver(event("invoice.paid", stripe_on.invoice_object(paid, subscription=sub_id)))
    mail.outbox.clear()
    failed = stripe_on.fail_next_invoice(sub_id)
    deliver(event("invoice.payment_failed", failed))
    [message] = mail.outbox
    link = re.search(r"(http://\S+/my/card/\S+/)", message.body).group(1)

    context = browser.new_context(**SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Update your card")).to_be_visible()
    assert "$25.00" in page.inner_text("main")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["viewport"]["width"]  # nothing runs off the screen
    page.screenshot(path=str(ARTIFACTS / f"dunning-card-update-{size}.png"), full_page=True)
    page.get_by_role("button", name="Update my card").click()
    expect(page.get_by_role("heading", name="Stripe Checkout (setup)")).to_be_visible()
    session_id = page.url.rsplit("/", 1)[1]
    assert stripe_on.sessions[session_id]["params"]["mode"] == "setup"

    # The donor gives a new card at Stripe, which then sends them back.
    session = stripe_on.checkout_complete_setup(session_id)
    deliver(event("checkout.session.completed", session))
    assert stripe_on.store[f"invoice:{failed['id']}"].status == "paid"
    page.goto(session["success_url"])
    expect(page.locator("#card-updated")).to_contain_text("your new card is saved")
    page.screenshot(path=str(ARTIFACTS / f"dunning-card-updated-{size}.png"), full_page=True)
    assert PaymentFailure.objects.get().card_updated_at is not None
    assert browser.take_problems() == []
    context.close()
