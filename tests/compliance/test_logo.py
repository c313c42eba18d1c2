"""The organization's logo: uploaded in the admin (PNG or JPEG, at most 1 MB), drawn at the top
of receipts and statements, decoded once per process."""

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from compliance import pdf_logo, services
from compliance.models import YearEndStatement
from compliance.pdf import receipt_pdf, statement_pdf
from donors.models import Organization
from donors.services import organization_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()
    pdf_logo._cache.update(key=None, logo=None)


def image_bytes(kind="PNG", size=(300, 100), color=(20, 110, 60, 255)) -> bytes:
    mode = "RGBA" if kind == "PNG" else "RGB"
    buffer = io.BytesIO()
    Image.new(mode, size, color[: len(mode)]).save(buffer, kind)
    return buffer.getvalue()


def _images(data: bytes) -> list:
    """The first page's images but the verification QR code (1-bit, one pixel a module)."""
    images = PdfReader(io.BytesIO(data)).pages[0].images
    return [image for image in images if image.image.mode != "1"]


def _form(organization, **extra):
    data = {k: v for k, v in model_to_dict(organization).items() if v is not None}
    data.pop("logo", None)
    data.update(extra)
    return data


def _upload(client, organization, name, content, content_type, **extra):
    url = reverse("admin:donors_organization_change", args=[organization.pk])
    data = _form(organization, **extra)
    if content is not None:
        data["logo_upload"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(url, data)


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_an_administrator_uploads_a_logo_and_receipts_show_it(
    client, administrator, organization, kind
):
    client.force_login(administrator)
    response = _upload(client, organization, f"logo.{kind.lower()}", image_bytes(kind),
                       f"image/{kind.lower()}")  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert bytes(organization.logo) and len(organization.logo_sha256) == 64
    receipt = services.receipt_issue(gift=factories.make_gift())
    (image,) = _images(receipt_pdf(receipt))
    assert image.image.size[0] > 0


def test_the_statement_has_the_logo_too(organization):
    organization.logo = image_bytes()
    organization_save(organization=organization)
    factories.make_gift()
    services.statements_issue(year=2025)
    assert len(_images(statement_pdf(YearEndStatement.objects.get()))) == 1


def test_without_a_logo_the_pdf_still_prints(organization):
    receipt = services.receipt_issue(gift=factories.make_gift())
    data = receipt_pdf(receipt)
    assert _images(data) == []
    assert "Movement for Solidarity" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("logo.gif", None, "image/gif", "must be a PNG or JPEG image, not GIF"),
        ("logo.png", b"not an image at all", "image/png", "not a PNG or JPEG image"),
        ("logo.png", b"\x89PNG" + b"0" * (1024 * 1024 + 10), "image/png", "at most 1 MB"),
    ],
)
def test_a_wrong_upload_is_refused_in_words(
    client, administrator, organization, name, content, content_type, message
):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20)).save(buffer, "GIF")
        content = buffer.getvalue()
    client.force_login(administrator)
    response = _upload(client, organization, name, content, content_type)
    assert response.status_code == 200
    assert message in response.content.decode()
    organization.refresh_from_db()
    assert not bytes(organization.logo)


def test_the_logo_can_be_removed(client, administrator, organization):
    organization.logo = image_bytes()
    organization_save(organization=organization)
    client.force_login(administrator)
    response = _upload(client, organization, "", None, "", remove_logo="on")
    assert response.status_code == 302
    organization.refresh_from_db()
    assert not bytes(organization.logo) and organization.logo_sha256 == ""
    assert _images(receipt_pdf(services.receipt_issue(gift=factories.make_gift()))) == []


def test_the_profile_page_says_a_logo_is_on_file(client, administrator, organization):
    organization.logo = image_bytes()
    organization_save(organization=organization)
    client.force_login(administrator)
    page = client.get(reverse("admin:donors_organization_change", args=[organization.pk]))
    assert "KB image (printed on receipts and statements)" in page.content.decode()


def test_the_logo_is_decoded_once_per_process_until_it_changes(organization, monkeypatch):
    prepared = []
    real = pdf_logo.prepare_logo
    monkeypatch.setattr(pdf_logo, "prepare_logo", lambda data: prepared.append(1) or real(data))
    organization.logo = image_bytes()
    organization_save(organization=organization)
    receipts = [services.receipt_issue(gift=factories.make_gift()) for _ in range(3)]
    for receipt in receipts:
        receipt_pdf(receipt)
    assert len(prepared) == 1
    organization = Organization.objects.get()
    organization.logo = image_bytes(color=(200, 0, 0, 255))
    organization_save(organization=organization)
    receipt_pdf(receipts[0])
    assert len(prepared) == 2


def test_a_transparent_logo_prints_on_white(organization):
    organization.logo = image_bytes(color=(0, 0, 0, 0))  # fully transparent
    organization_save(organization=organization)
    logo = pdf_logo.current_logo()
    pixels = Image.frombytes("RGB", (logo.width, logo.height), zlib.decompress(logo.pixels))
    assert pixels.getpixel((0, 0)) == (255, 255, 255)


def test_statements_written_by_the_command_carry_the_logo_and_the_site_address(
    organization, tmp_path, settings
):
    from django.core.management import call_command

    settings.SITE_URL = "https://give.msp.example"
    organization.logo = image_bytes("JPEG")
    organization_save(organization=organization)
    factories.make_gift()
    factories.make_gift()
    call_command("year_end_statements", "--year", "2025", "--out", str(tmp_path))
    files = sorted(tmp_path.glob("*.pdf"))
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        assert len(_images(data)) == 1
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert "https://give.msp.example/receipts/verify/" in text
