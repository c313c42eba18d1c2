"""The QR code of the verification address on receipts and statements: issued through the
commands, the page rendered as a phone camera would see it, the code read back, and the page it
points to answering for the document. The code keeps clear of every line of text, on letter
and on A4."""

import copy
import datetime
import io
import json
import math
from decimal import Decimal as D
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import cm

from common import pdf_text
from compliance import pdf_logo, services
from compliance.models import Receipt, YearEndStatement
from compliance.pdf import draw_receipt, draw_statement, receipt_pdf, statement_pdf
from donors import services as donor_services
from tests import factories
from tests.compliance.test_logo import image_bytes

pytestmark = pytest.mark.django_db

SCALE = 4  # 288 dots per inch: a phone photographing a page at arm's length sees about that


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()
    pdf_logo._cache.update(key=None, logo=None)


def _page(data: bytes, number: int):
    """A page of the PDF (number -1: the last), rendered by PDFium as a viewer would."""
    document = pypdfium2.PdfDocument(data)
    return document[number % len(document)]


def read_qr(data: bytes, page_number: int = -1) -> tuple[str, tuple[float, float, float, float]]:
    """The one QR code on a page, read from the page rendered to pixels: its text and its
    square (left, bottom, right, top) in PDF points."""
    page = _page(data, page_number)
    image = page.render(scale=SCALE).to_pil()
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    corners = [code.position.top_left, code.position.top_right]
    corners += [code.position.bottom_right, code.position.bottom_left]
    xs = [point.x / SCALE for point in corners]
    ys = [page.get_height() - point.y / SCALE for point in corners]
    return code.text, (min(xs), min(ys), max(xs), max(ys))


def text_boxes(data: bytes, page_number: int = -1) -> list[tuple[str, tuple]]:
    """Every printed character of a page with its box (left, bottom, right, top) in points."""
    text = _page(data, page_number).get_textpage()
    boxes = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if char.strip():
            boxes.append((char, text.get_charbox(index)))
    return boxes


def assert_clear_of_text(data: bytes, square, page_number: int = -1) -> None:
    """No character within the code's square and its quiet zone (4 modules, about 8 points)."""
    left, bottom, right, top = square
    zone = 8
    for char, (x0, y0, x1, y1) in text_boxes(data, page_number):
        apart = x1 < left - zone or x0 > right + zone or y1 < bottom - zone or y0 > top + zone
        assert apart, f"{char!r} at {(x0, y0, x1, y1)} is inside the QR code's quiet zone"


def assert_phone_size(square) -> None:
    left, bottom, right, top = square
    # zxing reports the corners of the outer modules' centres: the code is a module wider.
    assert 2.3 * cm < right - left < 2.6 * cm
    assert 2.3 * cm < top - bottom < 2.6 * cm
    assert math.isclose(right - left, top - bottom, rel_tol=0.02)


def on_page(draw, document, pagesize) -> bytes:
    """A document drawn on a page of pagesize (the products print letter; A4 proves the foot
    keeps to the page it is drawn on)."""
    pdf_text.register_fonts()
    buffer = io.BytesIO()
    canvas = pdf_text.DocumentCanvas(buffer, pagesize=pagesize, initialFontName=pdf_text.REGULAR)
    draw(canvas, document, logo=pdf_logo.current_logo())
    canvas.save()
    return buffer.getvalue()


def verify_page(url: str) -> str:
    """The page a phone opens from the code: the address is this site's verification page."""
    assert url.startswith(f"{settings.SITE_URL}/receipts/verify/")
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 200
    return response.content.decode()


def test_receipt_from_the_command_carries_its_verification_address_as_a_qr_code(
    organization, tmp_path, capsys
):
    factories.make_gift(donor=factories.make_donor(email="ayesha@example.org"), amount=D("300"))
    call_command("issue_receipts", "--out", str(tmp_path), "--json")
    (row,) = json.loads(capsys.readouterr().out)
    receipt = Receipt.objects.get()
    data = (tmp_path / f"receipt-{receipt.number}.pdf").read_bytes()

    url, square = read_qr(data)
    assert url == receipt.verify_url
    assert receipt.verify_url in pdf_text_of(data)  # the address is still printed as text
    assert_phone_size(square)
    assert_clear_of_text(data, square)
    page = verify_page(url)
    assert "This receipt is valid" in page
    assert row["number"] in page and "$300.00" in page


def test_statement_from_the_command_carries_its_verification_address_as_a_qr_code(
    organization, tmp_path, capsys
):
    donor = factories.make_donor(email="ayesha@example.org")
    factories.make_gift(donor=donor, amount=D("100.00"), gift_date=datetime.date(2025, 2, 1))
    factories.make_gift(donor=donor, amount=D("150.00"), gift_date=datetime.date(2025, 5, 3))
    call_command("year_end_statements", "--year", "2025", "--out", str(tmp_path), "--json")
    (row,) = json.loads(capsys.readouterr().out)
    statement = YearEndStatement.objects.get()
    data = (tmp_path / f"statement-{statement.number}.pdf").read_bytes()

    url, square = read_qr(data)
    assert url == statement.verify_url
    assert statement.verify_url in pdf_text_of(data)
    assert_phone_size(square)
    assert_clear_of_text(data, square)
    page = verify_page(url)
    assert "This statement is valid" in page
    assert row["number"] in page and "$250.00" in page


def pdf_text_of(data: bytes) -> str:
    """The text of every page, lines joined by spaces."""
    document = pypdfium2.PdfDocument(data)
    pages = (document[number].get_textpage().get_text_range() for number in range(len(document)))
    return " ".join(text.replace("\r\n", " ") for text in pages)


@pytest.fixture
def crowded_receipt(organization):
    """A receipt with all it can print: the logo, a three-line address, a benefit, the NY
    disclosure, corrected and then void with a long reason."""
    organization.logo = image_bytes()
    donor_services.organization_save(organization=organization)
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    donor_services.donor_address_add(
        donor=donor,
        line1="Apartment 12B, The Residences at Old Mill Creek",
        line2="1200 West Riverside Boulevard",
        city="Carmel",
        region="IN",
        postal_code="46032",
    )
    gift = factories.make_gift(
        donor=donor,
        amount=D("1500.00"),
        benefit_value=D("260.00"),
        benefit_description="two seats at the annual gala dinner with a signed print",
    )
    first = services.receipt_issue(gift=gift)
    corrected = services.receipt_replace(receipt=first, reason="Typo in the address")
    reason = "Refunded by card after the donor asked us to move the gift to next year; " * 2
    services.receipt_void(receipt=corrected, reason=reason.strip())
    corrected.refresh_from_db()
    return corrected


@pytest.mark.parametrize("pagesize", [letter, A4], ids=["letter", "A4"])
def test_the_code_keeps_clear_of_a_crowded_receipts_text(crowded_receipt, pagesize):
    data = on_page(draw_receipt, crowded_receipt, pagesize)
    url, square = read_qr(data)
    assert url == crowded_receipt.verify_url
    assert square[2] < pagesize[0] - 0.6 * 72  # well inside what any printer prints
    assert_phone_size(square)
    assert_clear_of_text(data, square)
    text = pdf_text_of(data)
    assert "VOID since" in text and crowded_receipt.verify_url in text


# New York's disclosure as some organizations print it, in full (three lines at the foot).
NY_DISCLOSURE_IN_FULL = (
    "A copy of the latest annual report may be obtained from the organization or from the "
    "Office of the Attorney General, Charities Bureau, 28 Liberty Street, New York, NY 10005, "
    "by writing to it or by visiting its website; residents of other states may obtain "
    "financial information from the charity regulator of their own state."
)


@pytest.mark.parametrize("pagesize", [letter, A4], ids=["letter", "A4"])
def test_the_code_keeps_clear_of_a_statements_text_however_long(organization, pagesize):
    """However many gifts fill the last page, its closing lines end above the code (the code
    is on the last page only)."""
    organization.logo = image_bytes()
    donor_services.organization_save(organization=organization)
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    factories.make_gift(donor=donor, amount=D("25.00"), gift_date=datetime.date(2025, 1, 2))
    (statement,) = services.statements_issue(year=2025)
    line = statement.lines[0]

    square = None
    for count in range(22, 42):  # the last page's closing lines at every height, 12 points apart
        crowded = copy.copy(statement)  # drawn only, never saved
        crowded.lines = [line] * count
        crowded.org_ny_disclosure = NY_DISCLOSURE_IN_FULL
        crowded.voided_at = timezone.now()
        crowded.void_reason = "Replaced after a late refund was recorded for this donor. " * 2
        data = on_page(draw_statement, crowded, pagesize)
        if square is None:
            url, square = read_qr(data)
            assert url == statement.verify_url
            assert_phone_size(square)
        assert_clear_of_text(data, square)
    # The longest ran onto a second page: the code is printed once, on the last.
    assert len(pypdfium2.PdfDocument(data)) == 2
    first_page = _page(data, 0).render(scale=SCALE).to_pil()
    assert zxingcpp.read_barcodes(first_page, formats=zxingcpp.BarcodeFormat.QRCode) == []


def test_letter_pdfs_print_the_code_beside_the_address(organization):
    """The documents as served (receipt_pdf, statement_pdf): letter pages, code on the last."""
    receipt = services.receipt_issue(gift=factories.make_gift(amount=D("40.00")))
    assert read_qr(receipt_pdf(receipt))[0] == receipt.verify_url
    (statement,) = services.statements_issue(year=2025)
    assert read_qr(statement_pdf(statement))[0] == statement.verify_url
