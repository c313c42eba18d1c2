"""Issue 17's journey, whole, in a real browser (Debian's Chromium, driven by Playwright), on a
laptop (1366 px) and a phone (390 px): staff build a segment in the builder, make an appeal
for it, send the appeal by email through a real local SMTP server (aiosmtpd), a donor follows
the unsubscribe link of the message that arrived and staff see the donor's consent change;
then staff print the appeal's letters and the PDF is read back. Screenshots are saved in
test-artifacts/."""

import datetime
import io
import re
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from donors.models import AppealRecipient, Donor
from tests import factories
from tests.browser import ARTIFACTS

INDIANA = {
    "line1": "12 Meridian St",
    "city": "Indianapolis",
    "region": "IN",
    "postal_code": "46204",
}
CALIFORNIA = {"line1": "9 Market St", "city": "San Jose", "region": "CA", "postal_code": "95113"}


@pytest.fixture
def site(live_server, organization, staff, smtp_server):
    staff.email = "bob@office.example.org"
    staff.save()
    campaign = factories.make_campaign(name="Winter appeal 2026", slug="winter-2026")
    donors = {}
    for first, address, gift, extra in [
        ("Ayesha", INDIANA, "250.00", {}),
        ("Bilal", INDIANA, "75.00", {}),
        ("Chanda", INDIANA, None, {"do_not_solicit": True}),
        ("Imran", CALIFORNIA, "500.00", {}),
    ]:
        donor = factories.make_donor(
            first_name=first,
            last_name="Qureshi",
            email=f"{first.lower()}@example.org",
            address=address,
            **extra,
        )
        if gift:
            factories.make_gift(donor=donor, amount=D(gift), gift_date=datetime.date(2026, 3, 3))
        donors[first] = donor
    return live_server.url, campaign, donors


def _sign_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def _shot(page, name: str, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_a_segment_is_asked_by_email_a_donor_unsubscribes_and_the_letters_print(
    site, browser, smtp_server, width, height
):
    from playwright.sync_api import expect

    base, campaign, donors = site
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(
        viewport={"width": width, "height": height}, device_scale_factor=1, accept_downloads=True
    )

    # 1. The segment, built in the builder: its count follows the criteria as they are typed.
    _sign_in(page, base, "/admin/donors/segment/add/")
    page.fill("#id_name", "Indiana donors")
    page.fill("#id_states", "IN")
    expect(page.locator("#segment-count")).to_have_text("3")
    _shot(page, "segment", width)
    page.click("input[name=_continue]")
    page.wait_for_selector("#segment-preview")
    assert page.locator("#segment-preview tbody tr").count() == 3

    # 2. The appeal, for that segment, by email and letter.
    page.goto(f"{base}/admin/donors/appeal/add/")
    page.fill("#id_name", "Winter letter and email")
    page.fill("#id_code", "winter26")
    page.click(".field-campaign .select2-selection")
    page.fill(".select2-search__field", "Winter")
    page.click(".select2-results__option:has-text('Winter appeal 2026')")
    page.select_option("#id_segment", label="Indiana donors")
    page.select_option("#id_channel", "both")
    page.fill("#id_email_subject", "{{ first_name }}, a word before winter")
    page.fill(
        "#id_email_body",
        "Dear {{ salutation }},\n\nThank you for your gift of {{ last_gift_amount }}.\n"
        "Give again: {{ donate_url }}\n",
    )
    page.fill("#id_letter_body", "Your gift of {{ last_gift_amount }} kept our clinic open.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    _shot(page, "appeal", width)
    appeal_url = page.url

    # 3. Sent by email from the appeal's page, through the SMTP server.
    page.get_by_role("link", name="Send by email").click()
    page.wait_for_selector("#id_subject")
    assert page.input_value("#id_subject") == "{{ first_name }}, a word before winter"
    page.click("input[name=_continue]")
    page.wait_for_selector("#mailing-progress, .field-next_steps")
    page.get_by_role("link", name="Send…").click()
    assert page.locator("#send-count").inner_text() == "2"
    assert "1: do not solicit" in page.locator("#left-out").inner_text()
    _shot(page, "send", width)
    page.click("#mailing-send-confirm")
    page.wait_for_selector("#mailing-progress")
    assert "2 of 2 sent" in page.locator("#mailing-progress").inner_text()
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ayesha@example.org",
        "bilal@example.org",
    ]
    [message] = smtp_server.to("bilal@example.org")
    assert message["Subject"] == "Bilal, a word before winter"
    body = smtp_server.text(message)
    assert "$75.00" in body and "appeal=WINTER26" in body

    # 4. The donor unsubscribes from the message that arrived; staff see consent change.
    link = re.search(r"https?://\S+/unsubscribe/\S+/", body).group(0)
    donor_page = browser.new_page(viewport={"width": width, "height": height})
    donor_page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    donor_page.get_by_role("button", name="Unsubscribe").click()
    donor_page.wait_for_selector("#unsubscribed")
    _shot(donor_page, "unsubscribed", width)
    assert Donor.objects.get(pk=donors["Bilal"].pk).email_opt_in is False
    page.goto(f"{base}/admin/donors/donor/{donors['Bilal'].pk}/change/")
    assert page.locator("#id_email_opt_in").is_checked() is False

    # 5. The appeal's letters: who is left out, and the PDF read back.
    page.goto(appeal_url)
    page.get_by_role("link", name="Letters, labels and envelopes").click()
    assert "1 marked do not solicit" in page.locator("#left-out-dns").inner_text()
    _shot(page, "letters", width)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download letters PDF").click()
    letters = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    assert len(letters.pages) == 2
    text = "\n".join(p.extract_text() for p in letters.pages)
    assert "Ayesha Qureshi" in text and "Bilal Qureshi" in text and "Chanda" not in text
    assert "Your gift of $250.00 kept our clinic open." in text
    assert "Charities Bureau" in text

    # The appeal's page counts who it asked.
    page.goto(appeal_url)
    asked = AppealRecipient.objects.filter(appeal__code="WINTER26")
    assert asked.filter(via="email").count() == 2
