"""Staff thank a gift by email from the thank-you queue in a real browser (Debian's Chromium,
driven by Playwright), on a laptop (1366 px) and a phone (390 px), and see it leave the queue.
Screenshots are saved in test-artifacts/."""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone

from donors.models import Gift
from tests import factories
from tests.browser import ARTIFACTS


@pytest.fixture
def site(live_server, organization, staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    gifts = {}
    for hours, first, last, amount in [
        (80, "Nadia", "Qureshi", "1000.00"),
        (30, "Bilal", "Ahmed", "150.00"),
        (1, "Zara", "Noor", "25.00"),
    ]:
        donor = factories.make_donor(
            first_name=first, last_name=last, email=f"{first.lower()}@example.org"
        )
        gift = factories.make_gift(donor=donor, amount=D(amount), method="card")
        Gift.objects.filter(pk=gift.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=hours)
        )
        gifts[first] = gift
    return live_server.url, gifts


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_staff_thank_the_oldest_gift_by_email_and_it_leaves_the_queue(site, browser, width, height):
    base, gifts = site
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.goto(f"{base}/admin/login/?next=/thanks/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/thanks/")

    cards = page.locator("#thanks-list article")
    assert [cards.nth(i).get_attribute("id") for i in range(cards.count())] == [
        f"gift-{gifts[name].pk}" for name in ("Nadia", "Bilal", "Zara")
    ]
    oldest = page.locator(f"#gift-{gifts['Nadia'].pk}")
    assert "overdue" in oldest.get_attribute("class")
    assert "overdue" not in page.locator(f"#gift-{gifts['Bilal'].pk}").get_attribute("class")
    assert "3 gifts to thank" in page.locator("#thanks-count").inner_text()
    assert "1 waiting more than 48 hours" in page.locator("#thanks-count").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"thanks-queue-{width}.png"), full_page=True)

    oldest.get_by_role("button", name="Thank by email").click()
    page.wait_for_load_state()
    assert "thank-you to Nadia Qureshi is on its way" in page.locator(".messages").inner_text()
    assert page.locator(f"#gift-{gifts['Nadia'].pk}").count() == 0
    assert "2 gifts to thank" in page.locator("#thanks-count").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"thanks-queue-thanked-{width}.png"), full_page=True)
    [message] = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert "Thank you for your gift of $1,000.00" in message.body

    # A call, confirmed on its own page.
    page.locator(f"#gift-{gifts['Bilal'].pk}").get_by_role(
        "link", name="Thanked by letter or call…"
    ).click()
    page.get_by_label("Call").check()
    page.get_by_label("I have thanked this donor").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"thanks-mark-{width}.png"), full_page=True)
    page.get_by_role("button", name="Mark thanked").click()
    page.wait_for_url(f"{base}/thanks/?page=1")
    assert "Bilal Ahmed: thanked by call." in page.locator(".messages").inner_text()
    assert page.locator("#thanks-list article").count() == 1
    assert Gift.objects.get(pk=gifts["Bilal"].pk).thanked_via == "call"
