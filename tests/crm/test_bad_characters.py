"""Bad characters (issue 12): refused where the back office takes text in, and never a failed
export or email for what is already stored. Stored values are written straight into the tables
(queryset.update), as the public RSVP form let them in before."""

from __future__ import annotations

import csv
import datetime
import io
import struct
import zlib

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import InlineModelAdmin
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from donors.admin.base import TextRules
from donors.models import Donor, ExportJob, Organization
from donors.models.base import CheckedText
from donors.services import donor_create
from events.models import RSVP, Event, Guest
from events.services import event_reminders_send, event_save, rsvp_submit
from tests import factories
from tests.donors.admin_forms import form_data
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db

VT = "\x0b"  # a vertical tab, as pasted from a PDF


@pytest.fixture
def gala(organization, organizer):
    return factories.make_event(name="Indy Gala", slug="indy-gala", organizers=[organizer])


@pytest.fixture
def guest(gala):
    """A guest whose name and answers hold a control character, stored before this fix."""
    donor = factories.make_donor(first_name="Ali", last_name="Raza", email="ali@example.org",
                                 tags=["gala"])  # fmt: skip
    rsvp = rsvp_submit(event=gala, donor=donor, answer="yes", party_size=2, guest_names="Sara")
    Donor.objects.filter(pk=donor.pk).update(
        first_name=f"Ali{VT}", display_name=f"Ali{VT}\x01 Raza"
    )
    RSVP.objects.filter(pk=rsvp.pk).update(dietary_needs=f"none{VT}")
    Guest.objects.filter(rsvp=rsvp, position=2).update(name=f"Sara{VT}Raza")
    return rsvp


def _workbook(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content)).worksheets[0]


def _records(sheet) -> list[dict]:
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


# Exports of what is stored


def test_an_organizer_exports_to_excel_the_rsvps_of_a_guest_with_a_stored_control_character(
    client, organizer, guest
):
    client.force_login(organizer)

    response = client.post("/admin/events/rsvp/", {
        "action": "export_rsvps_xlsx", helpers.ACTION_CHECKBOX_NAME: [str(guest.pk)]})  # fmt: skip

    assert response.status_code == 200
    [record] = _records(_workbook(response))
    # A workbook cannot hold the character: it is a space there, and only there.
    assert (record["donor_first_name"], record["guest_names"]) == ("Ali ", "Sara Raza")


def test_the_csv_export_keeps_the_stored_character_as_it_is(client, organizer, guest):
    client.force_login(organizer)

    response = client.post("/admin/events/rsvp/", {
        "action": "export_rsvps_csv", helpers.ACTION_CHECKBOX_NAME: [str(guest.pk)]})  # fmt: skip

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    [record] = list(csv.DictReader(io.StringIO(content)))
    assert record["donor_first_name"] == f"Ali{VT}"


def test_the_attendee_workbook_and_the_door_list_of_an_event_with_such_a_guest(
    client, organizer, gala, guest
):
    client.force_login(organizer)

    workbook = client.get("/events/indy-gala/attendees.xlsx")
    door_list = client.get("/events/indy-gala/door-list.pdf")

    assert workbook.status_code == 200
    names = [row[0] for row in _workbook(workbook).iter_rows(values_only=True)]
    assert "Ali   Raza" in names
    assert door_list.status_code == 200
    text = PdfReader(io.BytesIO(door_list.content)).pages[0].extract_text()
    assert "Ali" in text and "Raza" in text and "\x00" not in text  # no glyph for it: a space


def test_a_background_donor_workbook_with_a_stored_control_character_is_written(
    client, staff, guest, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/donors/donor/", {
            "action": "export_xlsx", helpers.ACTION_CHECKBOX_NAME: [str(guest.donor_id)]})  # fmt: skip

    job = ExportJob.objects.get()
    assert (job.status, job.error) == (ExportJob.Status.DONE, "")
    [record] = _records(_workbook(client.get(response["Location"] + "download/")))
    assert record["donor_first_name"] == "Ali "
    assert record["display_name"] == "Ali   Raza"


# Emails built from what is stored


def test_an_invitation_to_an_event_whose_stored_name_has_a_line_break_is_sent(
    client, organizer, gala, django_capture_on_commit_callbacks
):
    donor = factories.make_donor(email="hina@example.org", tags=["gala"])
    Event.objects.filter(pk=gala.pk).update(name="Indy Gala\r\nat the Museum")
    client.force_login(organizer)
    tag = donor.tags.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/events/indy-gala/invite/", {"tags": [tag.pk], "send": "1"})

    assert response.status_code == 302
    [email] = mail.outbox
    assert email.subject == "You are invited: Indy Gala at the Museum"
    [(_, ics, _)] = email.attachments
    # A title is one line in a calendar, as in the subject.
    assert "SUMMARY:Indy Gala at the Museum\r\n" in ics
    assert donor.invitations.get().sent_at is not None


def test_reminders_of_such_an_event_are_sent_too(gala, guest):
    Event.objects.filter(pk=gala.pk).update(
        name=f"Indy{VT}Gala\nDinner", starts_at=timezone.now() + datetime.timedelta(hours=20)
    )

    assert event_reminders_send() == 1

    [email] = mail.outbox
    assert email.subject == "Reminder: Indy Gala Dinner is tomorrow"


# The door: the back office's forms and the services


def test_staff_are_told_to_remove_a_control_character_from_a_donors_name(
    client, staff, organization
):
    donor = factories.make_donor(first_name="Ali", last_name="Raza")
    url = f"/admin/donors/donor/{donor.pk}/change/"
    client.force_login(staff)
    data = form_data(client.get(url), "donor")

    refused = client.post(url, {**data, "first_name": f"Ali{VT}Raza"})
    one_line = client.post(url, {**data, "last_name": "Raza\nKhan"})
    notes = client.post(url, {**data, "notes": "Met at the gala.\nLikes tea.\tCall in May."})

    assert refused.status_code == 200
    assert "Remove the control character U+000B" in refused.text
    assert "Write this on one line" in one_line.text
    assert notes.status_code == 302  # notes are written on several lines, with tabs
    donor.refresh_from_db()
    assert (donor.first_name, donor.last_name) == ("Ali", "Raza")
    assert donor.notes == "Met at the gala.\nLikes tea.\tCall in May."


def test_staff_are_told_about_a_control_character_in_an_address_inline(client, staff, organization):
    donor = factories.make_donor(address={"line1": "1 Main St", "city": "Carmel", "region": "IN",
                                          "postal_code": "46032"})  # fmt: skip
    url = f"/admin/donors/donor/{donor.pk}/change/"
    client.force_login(staff)
    data = form_data(client.get(url), "donor")

    response = client.post(url, {**data, "addresses-0-line1": "1 Main\x1bSt"})

    assert response.status_code == 200
    assert "Remove the control character U+001B" in response.text
    assert donor.addresses.get().line1 == "1 Main St"


def test_an_organizer_cannot_give_an_event_a_name_on_two_lines(client, organizer, gala):
    url = f"/admin/events/event/{gala.pk}/change/"
    client.force_login(organizer)

    refused = client.post(url, event_change_data(gala, name="Indy Gala\nDinner"))
    accepted = client.post(url, event_change_data(gala, description="Dinner.\n\nSpeeches."))

    assert "Write this on one line" in refused.text
    assert accepted.status_code == 302
    gala.refresh_from_db()
    assert (gala.name, gala.description) == ("Indy Gala", "Dinner.\n\nSpeeches.")


def test_an_organizer_correcting_a_guest_is_asked_to_remove_the_stored_character(
    client, organizer, guest
):
    url = f"/admin/events/rsvp/{guest.pk}/change/"
    client.force_login(organizer)
    data = form_data(client.get(url), "rsvp")

    kept = client.post(url, data)
    corrected = client.post(url, {**data, "guests-0-name": "Sara Raza",
                                  "dietary_needs": "none"})  # fmt: skip

    assert "Remove the control character U+000B" in kept.text
    assert corrected.status_code == 302
    guest.refresh_from_db()
    assert guest.guest_names == "Sara Raza"


def test_staff_are_told_to_remove_a_control_character_from_a_void_reason(
    client, staff, organization
):
    from compliance import services

    factories.ensure_benefit_limits()
    receipt = services.receipt_issue(gift=factories.make_gift())
    client.force_login(staff)

    response = client.post("/admin/compliance/receipt/", {
        "action": "void_receipts", helpers.ACTION_CHECKBOX_NAME: [receipt.pk], "confirmed": "yes",
        "reason": "Entered twice\x1b[31m"})  # fmt: skip

    assert "Remove the control character U+001B" in response.text
    receipt.refresh_from_db()
    assert receipt.voided_at is None


def test_the_services_refuse_new_bad_text_and_let_stored_text_stay(gala):
    with pytest.raises(ValidationError) as refused:
        donor_create(first_name="Ali\x00", last_name="Raza")
    assert refused.value.message_dict["first_name"] == [
        "Remove a NUL byte: it cannot be stored or printed."
    ]
    Event.objects.filter(pk=gala.pk).update(name="Indy Gala\nDinner")
    event = Event.objects.get(pk=gala.pk)

    event.capacity = 120
    event_save(event=event)  # the old name does not stop the change of capacity
    event.name = "Indy\x1bGala"
    with pytest.raises(ValidationError, match="control character U\\+001B"):
        event_save(event=event)


def test_every_text_field_of_every_back_office_form_follows_the_rule(administrator):
    """Each form the project's admin builds (inlines included) checks its text fields: the form
    does (TextRules), or the model's full_clean, which a model form runs, does (CheckedText)."""
    request = RequestFactory().get("/admin/")
    request.user = administrator
    ours = ("donors", "events", "compliance", "crm")

    def unchecked(form_class, editable: bool) -> list[str]:
        if not editable or issubclass(form_class, TextRules):
            return []
        model = form_class._meta.model
        return [
            f"{model.__name__}.{name}"
            for name, field in form_class.base_fields.items()
            if field.__class__.__name__ != "JSONField"
            and isinstance(field, forms.CharField)
            and not (issubclass(model, CheckedText) and name in _model_text_fields(model))
        ]

    missing, inlines = [], set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ours:
            continue
        editable = model_admin.has_add_permission(request) or (
            model_admin.has_change_permission(request)
        )
        missing += unchecked(model_admin.get_form(request, None, change=False), editable)
        inlines |= {(model, inline) for inline in model_admin.inlines}
    # Inlines some admins show only on some pages (get_inlines): every one defined here.
    stack = list(InlineModelAdmin.__subclasses__())
    while stack:
        inline = stack.pop()
        stack += inline.__subclasses__()
        if inline.__module__.split(".")[0] in ours and getattr(inline, "model", None):
            parent = next(f.related_model for f in inline.model._meta.concrete_fields
                          if f.is_relation and f.related_model._meta.app_label in ours
                          and f.name == (inline.fk_name or f.name))  # fmt: skip
            inlines.add((parent, inline))
    assert len(inlines) >= 10
    for parent, inline_class in inlines:
        inline = inline_class(parent, admin.site)
        editable = inline.has_add_permission(request, None) or inline.has_change_permission(request)
        missing += unchecked(inline.get_formset(request).form, editable)
    assert missing == []


def _model_text_fields(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)}  # fmt: skip


# A logo over Pillow's pixel limit


def png_over_pillows_pixel_limit() -> bytes:
    """A valid PNG of a few dozen KB that declares more pixels than Pillow will decode: a
    blank one-bit image, every row compressed to almost nothing."""
    side = int((2 * Image.MAX_IMAGE_PIXELS) ** 0.5) + 1000
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))  # fmt: skip


def test_a_logo_over_pillows_pixel_limit_is_refused_in_words(client, administrator, organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/admin/donors/organization/1/change/"
    client.force_login(administrator)
    data = form_data(client.get(url), "organization")
    bomb = png_over_pillows_pixel_limit()
    assert len(bomb) < 1024 * 1024  # under the size limit: only the pixels give it away

    response = client.post(url, {**data, "logo_upload": SimpleUploadedFile(
        "logo.png", bomb, content_type="image/png")})  # fmt: skip

    assert response.status_code == 200
    assert "The logo has too many pixels to be read safely" in response.text
    assert not bytes(Organization.objects.get().logo)


def test_a_logo_stored_around_the_checks_leaves_receipts_printing_without_it(organization):
    from compliance import pdf_logo, services
    from compliance.pdf import receipt_pdf

    factories.ensure_benefit_limits()
    Organization.objects.update(logo=png_over_pillows_pixel_limit(), logo_sha256="b" * 64)
    pdf_logo._cache.update(key=None, logo=None)
    receipt = services.receipt_issue(gift=factories.make_gift())

    pages = PdfReader(io.BytesIO(receipt_pdf(receipt))).pages

    # The one image is the verification QR code (one pixel a module: a square of at most 177,
    # the largest QR version), not the logo.
    sizes = [image.image.size for image in pages[0].images]
    assert len(sizes) == 1 and sizes[0][0] == sizes[0][1] <= 177, sizes
    assert receipt.number in pages[0].extract_text()
