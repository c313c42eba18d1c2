"""Uploads bounded, one reader: the admin's import (as Staff; the RSVP import as an Event
organizer) and the import commands accept and refuse the same files with the same messages,
before parsing what would tie up a worker; the previewed file is kept where only the app reaches
it, for its uploader only, and deleted at confirm, cancel or after a timeout."""

from __future__ import annotations

import datetime
import io
import tempfile
import zipfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from donors.models import Donor, Gift, ImportRun, ImportUpload
from tests import factories
from tests.donors.import_files import csv_bytes

pytestmark = pytest.mark.django_db

GIFT_HEADER = ["donor_email", "donor_first_name", "donor_last_name", "gift_date", "amount",
               "method"]  # fmt: skip


def gift(email="a@example.org", first="Ali", last="Khan", amount="10") -> list:
    return [email, first, last, "2025-01-05", amount, "cash"]


def preview(client, content: bytes, name="gifts.csv", model="donors/gift", skip_errors=False):
    fmt = "1" if name.endswith(".xlsx") else "0"
    data = {"format": fmt, "import_file": SimpleUploadedFile(name, content)}
    if skip_errors:
        data["skip_errors"] = "on"
    return client.post(f"/admin/{model}/import/", data)


def confirm_data(page) -> dict:
    form = page.context["confirm_form"]
    return {name: form.initial.get(name, "") for name in form.fields}


def admin_refusal(page) -> str:
    """The message the admin's import form shows for a refused file."""
    assert page.status_code == 200
    assert "confirm_form" not in page.context or page.context.get("confirm_form") is None
    return " ".join(page.context["form"].errors["import_file"])


def command_refusal(tmp_path, content: bytes, name: str, command="import_donations") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        call_command(command, str(path), stdout=StringIO(), stderr=StringIO())
    return str(refused.value)


def xlsx_bomb() -> bytes:
    """A real workbook whose sheet unpacks to 1 GB of spaces: about 1 MB on disk."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["donor_email", "donor_last_name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, data)
                continue
            head, end, tail = data.partition(b"</sheetData>")
            with bomb.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                spaces = b" " * (1 << 20)
                for _ in range(1024):
                    sheet.write(spaces)
                sheet.write(end + tail)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return xlsx_bomb()


def test_a_csv_of_50000_columns_is_refused_at_once_with_the_same_message_in_admin_and_command(
    client, staff, organization, tmp_path
):
    content = (",".join(f"col{i:05}" for i in range(50_000)) + "\n").encode()
    assert len(content) == 450_000  # the probe sent 389 KB
    client.force_login(staff)

    message = admin_refusal(preview(client, content, "wide.csv"))

    assert message == "wide.csv has 50,000 columns: an import takes at most 200"
    assert command_refusal(tmp_path, content, "wide.csv") == message


def test_a_data_row_of_too_many_values_is_refused_too(client, staff, organization, tmp_path):
    content = csv_bytes(GIFT_HEADER, [["a@example.org", *["x"] * 300]])
    client.force_login(staff)

    message = admin_refusal(preview(client, content, "wide.csv"))

    assert message == "wide.csv, line 2: 301 values in one row; an import takes at most 200 columns"
    assert command_refusal(tmp_path, content, "wide.csv") == message


def test_an_xlsx_that_unpacks_to_a_gigabyte_is_refused_before_it_is_opened(
    client, staff, organization, tmp_path, bomb
):
    assert len(bomb) < 1_100_000
    client.force_login(staff)

    message = admin_refusal(preview(client, bomb, "bomb.xlsx"))

    assert message.startswith("bomb.xlsx unpacks to 1,024.0 MB, ")
    assert message.endswith(
        "an import takes workbooks that unpack to at most 200 MB and 100 times their size "
        "(save it as CSV instead)"
    )
    assert command_refusal(tmp_path, bomb, "bomb.xlsx") == message
    assert not ImportUpload.objects.exists()


def test_a_workbook_that_unpacks_to_100_times_its_size_is_refused(
    client, staff, organization, tmp_path
):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["donor_email", "donor_last_name", "notes"])
    for _ in range(200):
        workbook.active.append(["a@example.org", "Khan", "x" * 5_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(staff)

    message = admin_refusal(preview(client, buffer.getvalue(), "dense.xlsx"))

    assert "times its size: an import takes workbooks that unpack to at most" in message
    assert command_refusal(tmp_path, buffer.getvalue(), "dense.xlsx") == message


def test_a_cell_of_a_megabyte_is_refused_with_a_message_not_an_error_or_a_traceback(
    client, staff, organization, tmp_path
):
    content = csv_bytes(GIFT_HEADER, [["a@example.org", "Ali", "x" * 1_000_000, "2025-01-05",
                                       "10", "cash"]])  # fmt: skip
    client.force_login(staff)

    message = admin_refusal(preview(client, content, "big.csv"))

    assert message == (
        "big.csv, line 2: a cell is longer than 10,000 characters, the most an import takes"
    )
    assert command_refusal(tmp_path, content, "big.csv") == message


def test_a_long_cell_in_a_workbook_is_refused_alike(client, staff, organization, tmp_path):
    from tests.donors.import_files import write_xlsx

    path = write_xlsx(
        tmp_path / "long.xlsx",
        GIFT_HEADER,
        [gift(amount=10), gift("b@example.org", "y" * 10_001, "Shah", amount=10)],
    )
    client.force_login(staff)

    message = admin_refusal(preview(client, path.read_bytes(), "long.xlsx"))

    assert message == (
        "long.xlsx, line 3: a cell is longer than 10,000 characters, the most an import takes"
    )
    assert command_refusal(tmp_path, path.read_bytes(), "long.xlsx") == message


def test_files_past_the_size_and_row_limits_are_refused_alike(
    client, staff, organization, tmp_path, settings
):
    settings.IMPORT_MAX_ROWS = 3
    rows = [[f"d{i}@example.org", "Ali", "Khan", "2025-01-05", "10", "cash"] for i in range(4)]
    client.force_login(staff)

    message = admin_refusal(preview(client, csv_bytes(GIFT_HEADER, rows), "many.csv"))
    assert message == (
        "many.csv has more than 3 rows: an import takes at most 3; split it into smaller files"
    )
    assert command_refusal(tmp_path, csv_bytes(GIFT_HEADER, rows), "many.csv") == message
    # Three rows and blank lines after them are within the limit.
    assert "confirm_form" in preview(client, csv_bytes(GIFT_HEADER, rows[:3]) + b"\r\n\r\n").context

    settings.IMPORT_MAX_FILE_MB = 1
    big = csv_bytes(GIFT_HEADER, rows[:1]) + b"\n" * (1024 * 1024)
    message = admin_refusal(preview(client, big, "big.csv"))
    assert message == (
        "big.csv is 1.0 MB: an import takes files of at most 1 MB; split it into smaller files"
    )
    assert command_refusal(tmp_path, big, "big.csv") == message


def test_a_cp1252_csv_the_command_accepts_the_admin_accepts_too(
    client, staff, organization, tmp_path
):
    content = "\r\n".join(
        [",".join(GIFT_HEADER), "jose@example.org,José,Núñez,2025-01-05,10,cash"]
    ).encode("cp1252")
    client.force_login(staff)

    page = preview(client, content, "gifts.csv")
    assert page.context["confirm_form"] is not None, page.context["form"].errors
    client.post("/admin/donors/gift/process_import/", confirm_data(page))

    assert Donor.objects.get().display_name == "José Núñez"
    assert Gift.objects.count() == 1
    path = tmp_path / "gifts.csv"
    path.write_bytes(content)
    out = StringIO()
    call_command("import_donations", str(path), stdout=out, stderr=StringIO())
    assert "0 new, 0 updated, 1 unchanged" in out.getvalue()


def test_a_nul_byte_is_a_row_error_in_the_preview_and_the_command_never_a_500(
    client, staff, organization, tmp_path
):
    content = csv_bytes(GIFT_HEADER, [gift(first="A\x00li"), gift("b@example.org", "Sara", "Shah")])
    client.force_login(staff)

    page = preview(client, content)

    assert page.status_code == 200
    assert page.context.get("confirm_form") is None
    assert "Remove a NUL byte: it cannot be stored or printed." in page.text
    err = StringIO()
    path = tmp_path / "gifts.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_donations", str(path), stdout=StringIO(), stderr=err)
    assert "line 2, donor_first_name: Remove a NUL byte" in err.getvalue()
    assert not Gift.objects.exists()


def test_skipping_the_row_with_a_nul_byte_imports_the_others_and_keeps_it_printable(
    client, staff, organization
):
    content = csv_bytes(
        GIFT_HEADER, [gift(first="A\x00li", amount="1\x000"), gift("b@example.org", "Sara", "Shah")]
    )
    client.force_login(staff)

    page = preview(client, content, skip_errors=True)
    done = client.post("/admin/donors/gift/process_import/", confirm_data(page), follow=True)

    assert done.status_code == 200
    assert list(Gift.objects.values_list("donor__last_name", flat=True)) == ["Shah"]
    run = ImportRun.objects.get()
    assert "A li" in run.rejected_rows and "amount '1 0' is not a number" in run.rejected_rows
    assert "\x00" not in run.rejected_rows


def test_a_line_break_in_a_name_is_a_row_error_in_a_note_it_is_kept(
    client, staff, organization, tmp_path
):
    header = [*GIFT_HEADER, "notes"]
    note = "first line\nsecond line"
    content = csv_bytes(
        header, [[*gift(first="Ali\nRaza"), ""], [*gift("b@example.org", "Sara", "Shah"), note]]
    )
    client.force_login(staff)

    page = preview(client, content)

    assert page.context.get("confirm_form") is None
    assert "Write this on one line: it cannot contain a line break." in page.text
    path = tmp_path / "gifts.csv"
    path.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_donations", str(path), stdout=StringIO(), stderr=err)
    assert "line 2, donor_first_name: Write this on one line" in err.getvalue()


def test_a_control_character_in_an_rsvp_import_is_a_row_error_for_the_organizer(
    client, organizer, organization, tmp_path
):
    event = factories.make_event(slug="gala", name="Gala", capacity=10, organizers=[organizer])
    content = csv_bytes(
        ["event", "donor_email", "donor_first_name", "donor_last_name", "answer", "dietary_needs"],
        [[event.slug, "a@example.org", "Ali", "Khan", "yes", "no\x0bnuts"]],
    )
    client.force_login(organizer)

    page = preview(client, content, "rsvps.csv", model="events/rsvp")

    assert page.context.get("confirm_form") is None
    assert "Remove the control character U+000B" in page.text
    path = tmp_path / "rsvps.csv"
    path.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_rsvps", str(path), stdout=StringIO(), stderr=err)
    assert "line 2, dietary_needs: Remove the control character U+000B" in err.getvalue()


def test_the_globalgiving_command_refuses_a_nul_byte_as_a_row_error(organization, tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes(
        ["Disbursement ID", "Donation Date", "Donation Amount", "Donor Email", "Donor First Name",
         "Donor Last Name"],
        [["P-1", "2025-01-05", "10", "a@example.org", "A\x00li", "Khan"]]))  # fmt: skip
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("import_globalgiving", str(path), stdout=StringIO(), stderr=err)
    assert "Remove a NUL byte" in err.getvalue()


# The previewed file: kept in the database for its uploader, never in the shared temp folder.

RSVP_HEADER = ["event", "donor_email", "donor_first_name", "donor_last_name", "answer"]


def test_an_organizer_cannot_import_or_delete_a_file_of_the_temp_folder_by_its_name(
    client, organizer, organization
):
    event = factories.make_event(slug="gala", name="Gala", capacity=10, organizers=[organizer])
    planted = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False)
    planted.write(csv_bytes(RSVP_HEADER, [[event.slug, "x@example.org", "Xena", "Planted", "yes"]]))
    planted.close()
    client.force_login(organizer)
    rows = [[event.slug, "a@example.org", "Ali", "Khan", "yes"]]
    page = preview(client, csv_bytes(RSVP_HEADER, rows), "rsvps.csv", model="events/rsvp")
    data = confirm_data(page)
    data["import_file_name"] = planted.name.rsplit("/", 1)[-1]

    done = client.post("/admin/events/rsvp/process_import/", data, follow=True)

    assert done.status_code == 200
    assert "file is no longer here" in done.text
    assert not Donor.objects.filter(last_name="Planted").exists()
    with open(planted.name, "rb") as still_there:
        assert b"Planted" in still_there.read()


def test_another_user_cannot_confirm_or_cancel_a_preview_and_its_owner_still_can(
    client, staff, organization
):
    other = factories.make_user("erin", "Staff")
    content = csv_bytes(GIFT_HEADER, [["a@example.org", "Ali", "Khan", "2025-01-05", "10", "cash"]])
    client.force_login(staff)
    data = confirm_data(preview(client, content))
    assert ImportUpload.objects.get().user == staff
    assert len(data["import_file_name"]) >= 40  # unguessable

    client.force_login(other)
    refused = client.post("/admin/donors/gift/process_import/", data, follow=True)
    assert "file is no longer here" in refused.text
    client.post("/admin/donors/gift/process_import/", {**data, "cancel": "1"})
    assert not Gift.objects.exists()

    client.force_login(staff)
    client.post("/admin/donors/gift/process_import/", data)
    assert Gift.objects.count() == 1
    assert not ImportUpload.objects.exists()  # deleted at confirm
    again = client.post("/admin/donors/gift/process_import/", data, follow=True)
    assert "file is no longer here" in again.text
    assert Gift.objects.count() == 1


def test_a_tampered_confirm_form_never_answers_500(client, staff, organization):
    client.force_login(staff)
    data = confirm_data(preview(client, csv_bytes(GIFT_HEADER, [gift()])))

    for junk in ({"import_file_name": "../../etc/passwd"}, {"import_file_name": ""},
                 {"original_file_name": ""}):  # fmt: skip
        page = client.post("/admin/donors/gift/process_import/", {**data, **junk}, follow=True)
        assert page.status_code == 200
        assert "Upload the file again." in page.text
    done = client.post("/admin/donors/gift/process_import/",
                       {**data, "resource": "7", "format": "x"}, follow=True)  # fmt: skip

    assert done.status_code == 200
    assert Gift.objects.count() == 1


def test_cancel_deletes_the_kept_file_and_a_preview_with_errors_keeps_none(
    client, staff, organization
):
    client.force_login(staff)
    page = preview(client, csv_bytes(GIFT_HEADER, [["a@example.org", "Ali", "Khan", "2025-01-05",
                                                    "10", "cash"]]))  # fmt: skip
    assert "Cancel and delete the file" in page.text
    done = client.post("/admin/donors/gift/process_import/",
                       {**confirm_data(page), "cancel": "1"}, follow=True)  # fmt: skip
    assert "Import cancelled: the uploaded file was deleted." in done.text
    assert not ImportUpload.objects.exists()

    bad = preview(client, csv_bytes(GIFT_HEADER, [["a@example.org", "Ali", "Khan", "2025-01-05",
                                                   "ten", "cash"]]))  # fmt: skip
    assert bad.context.get("confirm_form") is None
    assert not ImportUpload.objects.exists()
    assert not Gift.objects.exists()


def test_a_preview_writes_nothing_to_the_temp_folder(client, staff, organization, tmp_path,
                                                     monkeypatch):  # fmt: skip
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client.force_login(staff)

    page = preview(client, csv_bytes(GIFT_HEADER, [["a@example.org", "Ali", "Khan", "2025-01-05",
                                                    "10", "cash"]]))  # fmt: skip

    assert page.context["confirm_form"] is not None
    assert list(tmp_path.iterdir()) == []


def test_abandoned_previews_are_deleted_after_the_timeout_by_the_schedule_and_the_next_upload(
    client, staff, organization, settings
):
    from django_q.models import Schedule

    from donors.tasks import import_uploads_expire_task

    settings.IMPORT_UPLOAD_HOURS = 2
    content = csv_bytes(GIFT_HEADER, [["a@example.org", "Ali", "Khan", "2025-01-05", "10", "cash"]])
    client.force_login(staff)
    abandoned = confirm_data(preview(client, content))
    ImportUpload.objects.update(created_at=timezone.now() - datetime.timedelta(hours=3))

    expired = client.post("/admin/donors/gift/process_import/", abandoned, follow=True)
    assert "file is no longer here" in expired.text
    assert not Gift.objects.exists()

    preview(client, content)  # the next upload deletes the abandoned one
    assert ImportUpload.objects.count() == 1
    ImportUpload.objects.update(created_at=timezone.now() - datetime.timedelta(hours=3))
    assert import_uploads_expire_task() == 1
    assert not ImportUpload.objects.exists()
    schedule = Schedule.objects.get(func="donors.tasks.import_uploads_expire_task")
    assert schedule.schedule_type == Schedule.HOURLY


def test_a_body_far_past_the_file_limit_is_refused_before_it_is_received(
    client, staff, organization, settings
):
    # The form's own size message needs the whole file on disk first; a body whose declared
    # length is past the limit and the form's room is refused at the door instead.
    settings.IMPORT_MAX_FILE_MB = 1
    client.force_login(staff)

    response = preview(client, b"donor_email\n" + b"x" * (3 * 1024 * 1024), "huge.csv")

    assert response.status_code == 413
    assert "files of up to 1 MB are accepted" in response.content.decode()
    assert not ImportUpload.objects.exists()
