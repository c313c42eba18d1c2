"""Appeal letters, Avery 5160 labels and #10 envelopes: printed from the pages staff use, and
read back as a reader would (pypdf), in any script the receipts print."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from donors.letters import LABEL_H, LABEL_W, label_corner
from donors.merge import salutation_of
from donors.models import Appeal, AppealRecipient, Campaign, Segment, Tag
from tests.factories import make_donor, make_gift

pytestmark = pytest.mark.django_db

LETTER = (
    "Our schools in Lahore reopen in March, and {{ first_name }}, your help keeps them open.\n"
    "Please give again to {{ org_name }}."
)
ADDRESS = {"line1": "12 Meridian St", "city": "Indianapolis", "region": "IN",
           "postal_code": "46204"}  # fmt: skip


def _pdf(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _readable(text: str) -> str:
    """As a reader sees it: Arabic contextual forms folded back, runs of space made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def _pages(data: bytes) -> list[str]:
    return [_readable(page.extract_text()) for page in _pdf(data).pages]


def _fonts(page) -> set[str]:
    return {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}


def _donor(tag: str = "Spring", **fields):
    fields.setdefault("address", ADDRESS)
    return make_donor(tags=[tag], **fields)


def _appeal(tag: str = "Spring", **fields) -> Appeal:
    segment = Segment.objects.create(
        name=f"{tag} mailing", definition={"tags": [Tag.objects.get(name=tag).pk]}
    )
    campaign = Campaign.objects.create(name=f"{tag} campaign", slug=f"{tag.lower()}-campaign")
    fields.setdefault("letter_body", LETTER)
    return Appeal.objects.create(
        name=f"{tag} letter", code="SPRING26", campaign=campaign, segment=segment, **fields
    )


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_each_letter_is_a_page_with_the_donors_name_address_gift_and_the_appeals_words(
    organization, staff_client
):
    ayesha = _donor(first_name="Ayesha", last_name="Khan", prefix="Dr.")
    make_gift(ayesha, amount=Decimal("250.00"), gift_date=datetime.date(2026, 3, 3))
    omar = _donor(first_name="Omar", last_name="Ali")
    appeal = _appeal(signer_name="Bilal Shah", signer_title="Board Chair")

    response = staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = _pages(response.content)
    assert len(pages) == 2  # one page a letter, in name order: Ali, then Khan
    omar_page, ayesha_page = pages
    assert "Ayesha Khan" in ayesha_page
    assert "12 Meridian St" in ayesha_page and "Indianapolis, IN 46204" in ayesha_page
    assert f"Dear {salutation_of(ayesha)}," in ayesha_page
    assert "your last gift of $250.00 on March 3, 2026" in ayesha_page
    assert "Ayesha, your help keeps them open." in ayesha_page
    assert f"Please give again to {organization.legal_name}." in ayesha_page
    assert "Bilal Shah" in ayesha_page and "Board Chair" in ayesha_page
    assert f"Reply code SPRING26-{ayesha.pk}" in ayesha_page
    assert "NY Attorney General's Charities Bureau" in ayesha_page
    # The letterhead: the organization's name and address.
    assert organization.legal_name in ayesha_page and "1 Liberty Plaza" in ayesha_page
    # A donor who never gave is thanked for their interest, not for a gift.
    assert "Omar Ali" in omar_page and "last gift" not in omar_page
    assert f"Dear {salutation_of(omar)}," in omar_page


def test_the_signature_falls_back_to_the_organizations_signatory(organization, staff_client):
    _donor()
    appeal = _appeal()
    page = _pages(staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk])).content)[0]
    assert "Sara Ahmed" in page and "Treasurer" in page


def test_a_name_and_address_in_urdu_script_print_shaped_with_the_receipts_fonts(
    organization, staff_client
):
    _donor(first_name="عائشہ", last_name="خان",
           address={**ADDRESS, "line2": "مکان نمبر ۱۲"})  # fmt: skip
    appeal = _appeal()
    data = staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk])).content
    page = _pdf(data).pages[0]
    raw = page.extract_text()
    # Shaped: the joined forms were drawn (initial ain U+FECB, final heh goal U+FBA7).
    assert "\ufecb" in raw and "\ufba7" in raw and "\x00" not in raw
    assert "عائشہ خان" in _readable(raw) or "خان عائشہ" in _readable(raw)
    fonts = _fonts(page)
    assert not any("Helvetica" in font for font in fonts)
    assert any(re.fullmatch(r"/[A-Z]{6}\+DejaVuSans", font) for font in fonts), fonts
    assert any(re.fullmatch(r"/[A-Z]{6}\+NotoNaskhArabic.*", font) for font in fonts), fonts
    # Labels and envelopes print it the same way.
    for name in ("appeal_labels_pdf", "appeal_envelopes_pdf"):
        data = staff_client.get(reverse(name, args=[appeal.pk])).content
        page = _pdf(data).pages[0]
        assert "\ufecb" in page.extract_text(), name
        assert any("NotoNaskhArabic" in font for font in _fonts(page)), name


def test_a_devanagari_name_prints_too(organization, staff_client):
    _donor(first_name="प्रिया", last_name="शर्मा")
    appeal = _appeal()
    data = staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk])).content
    page = _pdf(data).pages[0]
    assert any("NotoSansDevanagari" in font for font in _fonts(page))
    assert "\x00" not in page.extract_text()


def test_avery_5160_labels_are_thirty_a_sheet_31_donors_make_two_sheets(organization, staff_client):
    for n in range(31):
        _donor(first_name=f"Label{n:02d}", last_name="Qureshi")
    appeal = _appeal()
    data = staff_client.get(reverse("appeal_labels_pdf", args=[appeal.pk])).content
    reader = _pdf(data)
    assert len(reader.pages) == 2
    first, second = (_readable(page.extract_text()) for page in reader.pages)
    assert sum(f"Label{n:02d} Qureshi" in first for n in range(31)) == 30
    assert "Label30 Qureshi" in second and "Label00" not in second
    assert first.count("Indianapolis, IN 46204") == 30
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == (612, 792)  # US letter


def test_label_positions_follow_averys_5160_layout():
    # 3/16" side margins, 1/2" top margin, 2 5/8" x 1" labels, 1/8" between columns.
    assert label_corner(0) == (13.5, 792 - 36)
    assert label_corner(1) == (13.5 + 189 + 9, 792 - 36)
    x, y = label_corner(29)  # the last: right column, bottom row
    assert x + LABEL_W == pytest.approx(612 - 13.5)
    assert y - LABEL_H == pytest.approx(36)
    assert label_corner(30) == label_corner(0)  # the next sheet starts over


def test_envelopes_are_number_10_one_a_donor_with_the_return_address(organization, staff_client):
    _donor(first_name="Ayesha", last_name="Khan")
    _donor(first_name="Omar", last_name="Ali")
    appeal = _appeal()
    data = staff_client.get(reverse("appeal_envelopes_pdf", args=[appeal.pk])).content
    reader = _pdf(data)
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = (float(v) for v in page.mediabox.upper_right)
        assert (width / 72, height / 72) == (9.5, 4.125)
        text = _readable(page.extract_text())
        assert organization.legal_name in text and "1 Liberty Plaza" in text
        assert "Indianapolis, IN 46204" in text
    assert "Omar Ali" in _readable(reader.pages[0].extract_text())


def test_do_not_solicit_no_mail_and_no_address_are_left_out_and_counted_on_the_page(
    organization, staff_client
):
    _donor(first_name="Ayesha", last_name="Khan")
    _donor(first_name="Nadia", last_name="Rahman", do_not_solicit=True)
    _donor(first_name="Tariq", last_name="Butt", mail_opt_in=False)
    _donor(first_name="Zara", last_name="Malik", address=None)
    appeal = _appeal()

    response = staff_client.get(reverse("appeal_letters", args=[appeal.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 donor</strong>" in page
    assert re.search(r'id="left-out-dns">1 marked do not solicit', page)
    assert re.search(r'id="left-out-consent">1 who do not take mail', page)
    assert re.search(r'id="left-out-address">1 with no usable mailing address', page)
    assert "Ayesha Khan" in page and "Nadia Rahman" not in page
    assert "12 Meridian St, Indianapolis, IN 46204" in page  # where the letter goes
    for label in ("Download letters PDF", "Labels (Avery 5160)", "#10 envelopes"):
        assert label in page

    letters = _pages(staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk])).content)
    assert len(letters) == 1 and "Ayesha Khan" in letters[0]
    labels = _pages(staff_client.get(reverse("appeal_labels_pdf", args=[appeal.pk])).content)
    assert "Nadia" not in labels[0] and "Tariq" not in labels[0] and "Zara" not in labels[0]


def test_a_segments_labels_and_envelopes_leave_out_the_same_donors(organization, staff_client):
    _donor(first_name="Ayesha", last_name="Khan")
    _donor(first_name="Nadia", last_name="Rahman", do_not_solicit=True)
    segment = _appeal().segment
    page = staff_client.get(reverse("segment_mailing", args=[segment.pk])).content.decode()
    assert re.search(r'id="left-out-dns">1 marked do not solicit', page)
    assert "Download letters PDF" not in page
    for name, pages in (("segment_labels_pdf", 1), ("segment_envelopes_pdf", 1)):
        response = staff_client.get(reverse(name, args=[segment.pk]))
        assert response.status_code == 200
        text = _pages(response.content)
        assert len(text) == pages and "Ayesha Khan" in text[0] and "Nadia" not in text[0]


def test_marking_letters_mailed_asks_first_then_records_each_donor_once_audited(
    organization, staff, staff_client
):
    ayesha = _donor(first_name="Ayesha", last_name="Khan")
    omar = _donor(first_name="Omar", last_name="Ali")
    _donor(first_name="Nadia", last_name="Rahman", do_not_solicit=True)
    appeal = _appeal()
    url = reverse("appeal_letters_mailed", args=[appeal.pk])

    confirm = staff_client.get(url)
    assert confirm.status_code == 200 and "Mark letters as mailed" in confirm.content.decode()
    assert not AppealRecipient.objects.exists()
    # Without the box ticked nothing is recorded.
    refused = staff_client.post(url, {"count": 2})
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert not AppealRecipient.objects.exists()

    response = staff_client.post(url, {"count": 2, "confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "2 donors recorded as asked by letter" in response.content.decode()
    recorded = AppealRecipient.objects.filter(appeal=appeal, via="letter")
    assert set(recorded.values_list("donor_id", flat=True)) == {ayesha.pk, omar.pk}
    entries = LogEntry.objects.get_for_model(AppealRecipient)
    assert entries.count() == 2 and {e.actor_id for e in entries} == {staff.pk}

    # Marking again records nobody twice.
    again = staff_client.post(url, {"count": 2, "confirm": "on"}, follow=True)
    assert "0 donors recorded as asked by letter (2 already were)" in again.content.decode()
    assert recorded.count() == 2 and entries.count() == 2


def test_marking_mailed_after_the_list_changed_is_refused(organization, staff_client):
    _donor()
    appeal = _appeal()
    url = reverse("appeal_letters_mailed", args=[appeal.pk])
    _donor()  # joins the segment after the page was opened (1 then, 2 now)
    response = staff_client.post(url, {"count": 1, "confirm": "on"})
    assert response.status_code == 400
    assert "has changed since this page was opened" in response.content.decode()
    assert not AppealRecipient.objects.exists()


def test_an_appeal_without_a_segment_or_letter_text_is_refused_in_words(organization, staff_client):
    _donor()
    appeal = _appeal(letter_body="")
    for name in ("appeal_letters", "appeal_letters_pdf", "appeal_letters_mailed"):
        response = staff_client.get(reverse(name, args=[appeal.pk]))
        assert response.status_code == 409, name
        assert "no letter text" in response.content.decode()
    appeal.letter_body = "Dear {{ favourite_colour }}"
    appeal.save()
    response = staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk]))
    assert response.status_code == 409
    assert "Unknown merge fields: favourite_colour" in response.content.decode()
    appeal.segment = None
    appeal.letter_body = LETTER
    appeal.save()
    for name in ("appeal_letters", "appeal_letters_pdf", "appeal_labels_pdf"):
        response = staff_client.get(reverse(name, args=[appeal.pk]))
        assert response.status_code == 409, name
        assert "has no segment" in response.content.decode()
    assert staff_client.get(reverse("appeal_letters", args=[999999])).status_code == 404


def test_letters_are_refused_without_the_ny_disclosure(organization, staff_client):
    _donor()
    appeal = _appeal()
    organization.ny_disclosure = ""
    organization.save()
    response = staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk]))
    assert response.status_code == 409
    assert "New York solicitation disclosure" in response.content.decode()


def test_board_members_and_organizers_cannot_print(organization, board, organizer):
    _donor()
    appeal = _appeal()
    urls = [
        reverse(name, args=[appeal.pk])
        for name in ("appeal_letters", "appeal_letters_pdf", "appeal_labels_pdf",
                     "appeal_envelopes_pdf", "appeal_letters_mailed")
    ] + [
        reverse(name, args=[appeal.segment.pk])
        for name in ("segment_mailing", "segment_labels_pdf", "segment_envelopes_pdf")
    ]  # fmt: skip
    for user in (board, organizer):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        response = client.post(reverse("appeal_letters_mailed", args=[appeal.pk]),
                               {"count": 1, "confirm": "on"})  # fmt: skip
        assert response.status_code == 403
    assert not AppealRecipient.objects.exists()
    anonymous = Client().get(urls[0])
    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]


def test_a_long_letter_runs_onto_a_second_page_with_the_disclosure_at_its_end(
    organization, staff_client
):
    _donor(first_name="Ayesha", last_name="Khan")
    long_words = "\n".join(f"Paragraph {n}: " + "our work goes on " * 12 for n in range(40))
    appeal = _appeal(letter_body=long_words)
    pages = _pages(staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk])).content)
    assert len(pages) >= 2
    assert "Ayesha Khan, page 2" in pages[1]
    assert "Charities Bureau" in pages[-1] and "Charities Bureau" not in pages[0]
    assert "Paragraph 39" in pages[-1]


def test_a_batch_costs_a_few_queries_a_chunk_not_a_few_a_letter(
    organization, staff_client, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from donors import letters

    monkeypatch.setattr(letters, "CHUNK", 10)
    for n in range(25):
        donor = _donor(first_name=f"Reader{n:02d}", last_name="Chaudhry")
        if n % 2:
            make_gift(donor, amount=Decimal("40.00"))
    appeal = _appeal()
    donors, _left_out = letters.letter_recipients(appeal)
    for build in (
        lambda: letters.letters_pdf(appeal, donors),
        lambda: letters.labels_pdf(donors),
        lambda: letters.envelopes_pdf(donors),
    ):
        with CaptureQueriesContext(connection) as queries:
            data = build()
        # The ids once, then per chunk of 10: the donors, their addresses (and for letters
        # their last gifts): 3 chunks; the profile and its logo once.
        assert len(queries) <= 1 + 3 * 3 + 2, [q["sql"] for q in queries]
        assert len(_pdf(data).pages) in (25, 1)  # 25 letters or envelopes, or 1 sheet


def test_the_letterhead_carries_the_organizations_logo_once_for_the_whole_batch(
    organization, staff_client
):
    from PIL import Image

    from donors.services import organization_save

    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 110, 60)).save(buffer, "PNG")
    organization.logo = buffer.getvalue()
    organization_save(organization=organization)
    _donor(first_name="Ayesha", last_name="Khan")
    _donor(first_name="Omar", last_name="Ali")
    appeal = _appeal()
    data = staff_client.get(reverse("appeal_letters_pdf", args=[appeal.pk])).content
    reader = _pdf(data)
    assert all(len(page.images) == 1 for page in reader.pages)
    assert data.count(b"/Subtype /Image") == 1  # one image object, drawn on each page
