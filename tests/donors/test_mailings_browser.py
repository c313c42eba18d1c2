"""An appeal's email in a real browser (Debian's Chromium, driven by Playwright): staff compose it
from the appeal, preview it, send it through a real local SMTP server (aiosmtpd), and the donor
follows the unsubscribe link of the message that arrived; staff then see the donor's consent
off. Screenshots are saved in test-artifacts/."""

import re
from decimal import Decimal as D

import pytest

from donors.models import Donor
from tests import factories
from tests.browser import ARTIFACTS


@pytest.fixture
def site(live_server, organization, staff, smtp_server):
    staff.email = "bob@office.example.org"
    staff.save()
    campaign = factories.make_campaign()
    donors = {}
    for first, amount in (("Nadia", "250.00"), ("Bilal", "75.00")):
        donor = factories.make_donor(first_name=first, last_name="Qureshi",
                                     email=f"{first.lower()}@example.org")  # fmt: skip
        factories.make_gift(donor=donor, amount=D(amount), campaign=campaign)
        donors[first] = donor
    factories.make_donor(first_name="Omar", email_opt_in=False, email="omar@example.org")
    appeal = factories.make_appeal(
        campaign=campaign,
        segment=factories.make_mail_segment("Everyone"),
        code="FALL26",
        email_subject="{{ first_name }}, a word before winter",
        email_body="Dear {{ salutation }},\n\nThank you for your {{ last_gift_amount }}.\n",
    )
    return live_server.url, appeal, donors


def test_staff_send_an_appeal_email_and_a_donor_unsubscribes_from_it(site, browser, smtp_server):
    base, appeal, donors = site
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
    page.goto(f"{base}/admin/login/?next=/admin/donors/mailing/add/%3Fappeal%3D{appeal.pk}")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_subject")
    assert page.input_value("#id_subject") == "{{ first_name }}, a word before winter"
    page.screenshot(path=str(ARTIFACTS / "mailing-compose.png"), full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector("#mailing-progress, .field-next_steps")
    page.get_by_role("link", name="Preview").click()
    assert "Nadia, a word before winter" in page.locator("#preview-subject").inner_text()
    assert "$250.00" in page.locator("#preview-body").inner_text()
    page.get_by_role("button", name=re.compile("Send a test to me")).click()
    page.wait_for_load_state()
    assert "Test sent to bob@office.example.org" in page.locator(".messagelist").inner_text()
    page.get_by_role("link", name="Send…").click()
    assert page.locator("#send-count").inner_text() == "2"
    assert "1: not opted in to email" in page.locator("#left-out").inner_text()
    page.screenshot(path=str(ARTIFACTS / "mailing-send-confirm.png"), full_page=True)
    page.click("#mailing-send-confirm")
    page.wait_for_selector("#mailing-progress")
    assert "2 of 2 sent" in page.locator("#mailing-progress").inner_text()
    page.screenshot(path=str(ARTIFACTS / "mailing-sent.png"), full_page=True)

    [message] = smtp_server.to("bilal@example.org")
    assert message["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    link = re.search(r"https?://\S+/unsubscribe/\S+/", smtp_server.text(message)).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    donor_page = browser.new_page(viewport={"width": 390, "height": 844})
    donor_page.goto(base + path)
    assert "bilal@example.org" in donor_page.content()
    assert Donor.objects.get(pk=donors["Bilal"].pk).email_opt_in is True  # opening it: nothing
    donor_page.get_by_role("button", name="Unsubscribe").click()
    donor_page.wait_for_selector("#unsubscribed")
    donor_page.screenshot(path=str(ARTIFACTS / "unsubscribed-390.png"), full_page=True)
    assert Donor.objects.get(pk=donors["Bilal"].pk).email_opt_in is False

    page.goto(f"{base}/admin/donors/donor/{donors['Bilal'].pk}/change/")
    assert page.locator("#id_email_opt_in").is_checked() is False
    assert page.locator("#id_email_opt_in").count() == 1
