"""Every donor's name prints: the shipped TrueType fonts, shaped right-to-left text, and the
verification address on this site (SITE_URL)."""

import io
import re
import unicodedata

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from common import pdf_text
from compliance import services
from compliance.models import YearEndStatement
from compliance.pdf import receipt_pdf, statement_pdf
from tests import factories
from tests.compliance.helpers import pdf_text as read_text

pytestmark = pytest.mark.django_db

NAMES = [
    ("Zoë", "Łukasiewicz-Ñúñez"),
    ("Ayesha", "Khan"),
    ("عائشہ", "خان"),
    ("Дмитрий", "Иванов"),
    ("小龍", "李"),
    ("Ελένη", "Παπαδοπούλου"),
    ("Nguyễn", "Thị Minh"),
]


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _readable(text: str) -> str:
    """The text as a reader sees it: Arabic contextual forms (what shaping draws) folded back
    to their letters, and runs of space made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def _fonts(data: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}


@pytest.mark.parametrize(("first", "last"), NAMES)
def test_a_receipt_prints_the_donors_name_in_any_script(organization, first, last):
    donor = factories.make_donor(first_name=first, last_name=last)
    receipt = services.receipt_issue(gift=factories.make_gift(donor=donor))
    text = _readable(read_text(receipt_pdf(receipt)))
    assert f"{first} {last}" in text
    assert "\x00" not in text  # no glyph was missing (a missing one reads back as NUL)


def test_fonts_are_embedded_as_subsets_never_the_standard_helvetica(organization):
    donor = factories.make_donor(first_name="عائشہ", last_name="خان")
    receipt = services.receipt_issue(gift=factories.make_gift(donor=donor))
    fonts = _fonts(receipt_pdf(receipt))
    assert not any("Helvetica" in font for font in fonts)
    # A subset's name carries a six-letter tag: only the glyphs used are embedded.
    assert any(re.fullmatch(r"/[A-Z]{6}\+DejaVuSans", font) for font in fonts), fonts
    assert any(re.fullmatch(r"/[A-Z]{6}\+NotoNaskhArabic.*", font) for font in fonts), fonts


def test_a_receipt_in_latin_script_embeds_no_fallback_font(organization):
    receipt = services.receipt_issue(gift=factories.make_gift())
    fonts = _fonts(receipt_pdf(receipt))
    assert fonts and all("DejaVuSans" in font for font in fonts), fonts


def test_urdu_letters_are_joined_and_drawn_right_to_left(organization):
    donor = factories.make_donor(first_name="عائشہ", last_name="خان")
    receipt = services.receipt_issue(gift=factories.make_gift(donor=donor))
    raw = read_text(receipt_pdf(receipt))
    # Shaping draws each letter's joined form: ain at the start of a word (U+FECB), final heh
    # goal (U+FBA7), not the isolated letters.
    assert "\ufecb" in raw and "\ufba7" in raw
    assert "عائشہ" not in raw  # the unjoined letters were never drawn


def test_mixed_direction_text_is_laid_out_in_visual_order():
    runs = pdf_text._runs("Ayesha (عائشہ خان) 42", pdf_text.REGULAR)
    assert [(text, level % 2) for text, _font, level in runs][:3] == [
        ("Ayesha (", 0),
        ("عائشہ خان", 1),
        (") ", 0),
    ]
    # A wholly right-to-left line: its words swap places around the number, as a reader of
    # Urdu reads "محمد 123 علی" from the right.
    runs = pdf_text._runs("محمد 123 علی", pdf_text.REGULAR)
    assert [text.strip() for text, _font, _level in runs if text.strip()] == ["علی", "123", "محمد"]
    # A number after right-to-left words in a left-to-right line stays with them (UAX #9 W7,
    # N1): "abc محمد 12 def" reads "abc 12 دمحم def", the space between them theirs.
    runs = pdf_text._runs("abc محمد 12 def", pdf_text.REGULAR)
    assert [(text, level % 2) for text, _font, level in runs] == [
        ("abc ", 0),
        ("12", 0),
        ("محمد ", 1),
        (" def", 0),
    ]


def test_fonts_are_registered_once_per_process():
    pdf_text.register_fonts()
    first = pdf_text._font(pdf_text.REGULAR)
    pdf_text.register_fonts()
    assert pdf_text._font(pdf_text.REGULAR) is first
    # The fonts ship with the code (a fresh machine has no system fonts), with their licences.
    assert (pdf_text.FONT_DIR / "DejaVuSans.ttf").is_file()
    assert {p.name for p in pdf_text.FONT_DIR.glob("LICENSE-*")} == {
        "LICENSE-DejaVu.txt",
        "LICENSE-Noto.txt",
        "LICENSE-DroidSansFallback.txt",
    }


def test_statements_from_the_command_print_every_name(organization, tmp_path):
    for first, last in NAMES:
        factories.make_gift(donor=factories.make_donor(first_name=first, last_name=last))
    call_command("year_end_statements", "--year", "2025", "--out", str(tmp_path))
    texts = [_readable(read_text(path.read_bytes())) for path in tmp_path.glob("*.pdf")]
    assert len(texts) == len(NAMES)
    for first, last in NAMES:
        assert sum(f"{first} {last}" in text for text in texts) == 1, (first, last)


def test_the_verification_address_is_on_this_site(organization, settings):
    settings.SITE_URL = "https://give.msp.example"
    organization.website = "https://www.msp-other.example"
    organization.save()
    receipt = services.receipt_issue(gift=factories.make_gift())
    text = _readable(read_text(receipt_pdf(receipt)))
    assert f"https://give.msp.example/receipts/verify/{receipt.verification_code}/" in text
    assert "msp-other" not in text
    services.statements_issue(year=2025)
    statement = YearEndStatement.objects.get()
    text = _readable(read_text(statement_pdf(statement)))
    assert f"https://give.msp.example/receipts/verify/{statement.verification_code}/" in text
