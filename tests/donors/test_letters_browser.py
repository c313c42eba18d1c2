"""Staff print an appeal's letters, labels and envelopes in a real browser (Debian's Chromium,
driven by Playwright), read the downloaded PDFs back, and mark the letters mailed. Screenshots
are saved in test-artifacts/."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from donors.models import AppealRecipient
from tests.browser import ARTIFACTS
from tests.donors.test_letters import _appeal, _donor
from tests.factories import make_gift


@pytest.fixture
def site(live_server, organization, staff):
    ayesha = _donor(first_name="Ayesha", last_name="Khan", prefix="Dr.")
    make_gift(ayesha, amount=Decimal("250.00"), gift_date=datetime.date(2026, 3, 3))
    _donor(first_name="عائشہ", last_name="خان")
    _donor(first_name="Nadia", last_name="Rahman", do_not_solicit=True)
    return live_server.url, _appeal()


def _download(page, name: str) -> PdfReader:
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    return PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_staff_print_an_appeals_letters_and_mark_them_mailed(site, browser, width, height):
    base, appeal = site
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(
        viewport={"width": width, "height": height}, device_scale_factor=1, accept_downloads=True
    )
    url = f"{base}/appeals/{appeal.pk}/letters/"
    page.goto(f"{base}/admin/login/?next=/appeals/{appeal.pk}/letters/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "pw-bob")
    page.click("input[type=submit]")
    page.wait_for_url(url)
    assert "2 donors" in page.locator("#recipient-count").inner_text()
    assert "1 marked do not solicit" in page.locator("#left-out-dns").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"letters-{width}.png"), full_page=True)

    letters = _download(page, "Download letters PDF")
    assert len(letters.pages) == 2
    text = letters.pages[0].extract_text()
    assert "Ayesha Khan" in text and "$250.00 on March 3, 2026" in text
    assert "Charities Bureau" in text
    assert len(_download(page, "Labels (Avery 5160)").pages) == 1
    envelopes = _download(page, "#10 envelopes")
    assert [float(v) for v in envelopes.pages[0].mediabox.upper_right] == [684, 297]

    page.get_by_role("link", name="Mark letters as mailed…").click()
    page.get_by_label("These letters are printed and in the mail.").check()
    page.screenshot(path=str(ARTIFACTS / f"letters-mailed-{width}.png"), full_page=True)
    page.get_by_role("button", name="Mark letters as mailed").click()
    page.wait_for_url(url)
    assert "2 donors recorded as asked by letter" in page.locator(".messagelist").inner_text()
    assert AppealRecipient.objects.filter(appeal=appeal, via="letter").count() == 2
