"""RSVPs in and out of the admin (django-import-export's upload, preview and confirm): through
the RSVP services, so an import never overfills an event; the export neutralizes formulas and
reads back unchanged; organizers do both, and see no money either way."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from donors.models import Donor
from events import services
from events.models import RSVP, Table
from tests import factories
from tests.donors.import_files import csv_bytes

pytestmark = pytest.mark.django_db

URL = "/admin/events/rsvp/"
HEADER = ["event", "donor_email", "donor_first_name", "donor_last_name", "answer", "party_size",
          "guest_names", "dietary_needs", "table"]  # fmt: skip


def upload(client, content: bytes, name="rsvps.csv", fmt="0", skip_errors=False):
    data = {"format": fmt, "import_file": SimpleUploadedFile(name, content, "text/csv")}
    if skip_errors:
        data["skip_errors"] = "on"
    return client.post(f"{URL}import/", data)


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(f"{URL}process_import/", data, follow=True)


def export(client, action, ids):
    return client.post(URL, {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(i) for i in ids]})


@pytest.fixture
def dinner(organization, settings, organizer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = factories.make_event(
        slug="indy-gala", name="Indy Gala", capacity=6, organizers=[organizer]
    )
    Table.objects.create(event=event, name="Table 1")
    ali = factories.make_donor(first_name="Ali", last_name="Raza", email="ali@example.org")
    return event, ali


def _file(slug="indy-gala"):
    return csv_bytes(HEADER, [
        [slug, "ali@example.org", "", "", "yes", "2", "Sana Raza", "vegetarian", "Table 1"],
        [slug, "hina@example.org", "Hina", "Rauf", "maybe", "", "", "", ""],
        [slug, "", "Omar", "Sheikh", "no", "", "", "", ""],
    ])  # fmt: skip


def test_organizer_previews_then_confirms_and_the_same_file_again_changes_nothing(
    client, organizer, dinner
):
    event, ali = dinner
    client.force_login(organizer)

    preview = upload(client, _file())
    assert preview.status_code == 200, preview.content[:500]
    assert "line 2: Ali Raza → Indy Gala: yes, party of 2" in preview.text
    assert not RSVP.objects.exists()  # a preview writes nothing
    assert not Donor.objects.filter(last_name="Rauf").exists()

    page = confirm(client, preview)
    assert "Import finished: 3 new, 0 updated, 0 unchanged and 0 skipped RSVPs." in page.text
    mine = RSVP.objects.get(donor=ali)
    assert (
        mine.answer,
        mine.party_size,
        mine.guest_names,
        mine.dietary_needs,
        mine.table.name,
    ) == ("yes", 2, "Sana Raza", "vegetarian", "Table 1")
    assert RSVP.objects.get(donor__emails__email="hina@example.org").answer == "maybe"
    assert RSVP.objects.get(donor__last_name="Sheikh").answer == "no"
    versions = dict(RSVP.objects.values_list("pk", "answer_version"))
    sent = len(mail.outbox)

    again = upload(client, _file())
    assert again.text.count("(unchanged)") == 3
    page = confirm(client, again)
    assert "Import finished: 0 new, 0 updated, 3 unchanged and 0 skipped RSVPs." in page.text
    assert dict(RSVP.objects.values_list("pk", "answer_version")) == versions
    assert len(mail.outbox) == sent  # nobody is emailed again
    assert Donor.objects.filter(last_name__in=["Rauf", "Sheikh"]).count() == 2


def test_a_changed_row_updates_the_answer_through_the_services(client, organizer, dinner):
    event, ali = dinner
    services.rsvp_submit(event=event, donor=ali, answer="yes", party_size=2)
    client.force_login(organizer)
    content = csv_bytes(HEADER[:6], [["indy-gala", "ali@example.org", "", "", "yes", "3"]])

    page = confirm(client, upload(client, content))

    assert "1 updated" in page.text
    assert RSVP.objects.get(donor=ali).party_size == 3


def test_row_errors_are_in_words_with_line_numbers_and_nothing_is_written(
    client, organizer, dinner
):
    client.force_login(organizer)
    bad = csv_bytes(HEADER, [
        ["indy-gala", "ali@example.org", "", "", "yes", "2", "", "", ""],
        ["no-such-dinner", "hina@example.org", "Hina", "Rauf", "yes", "1", "", "", ""],
        ["indy-gala", "omar@example.org", "Omar", "Sheikh", "perhaps", "1", "", "", ""],
        ["indy-gala", "sara@example.org", "Sara", "Ahmed", "yes", "2.5", "", "", ""],
        ["indy-gala", "zain@example.org", "Zain", "Ali", "yes", "9", "", "", ""],
        ["indy-gala", "adil@example.org", "Adil", "Khan", "yes", "1", "", "", "Table 9"],
        ["indy-gala", "ali@example.org", "", "", "no", "", "", "", ""],
    ])  # fmt: skip

    preview = upload(client, bad)

    assert "confirm_form" not in preview.context
    text = preview.text.replace("&#x27;", "'")
    assert "event 'no-such-dinner' is not the slug of any event" in text
    assert "answer 'perhaps' is not one of: yes, maybe, no" in text
    assert "party_size '2.5' is not a whole number" in text
    assert "party_size 9: a party at Indy Gala is 1 to 4 people" in text
    assert "table 'Table 9' is not a table of Indy Gala (its tables: Table 1)" in text
    assert "already answered Indy Gala on line 2" in text
    # The preview's "Row" column: the line each error is on, as the spreadsheet numbers it.
    assert [row.number for row in preview.context["result"].invalid_rows] == [3, 4, 5, 6, 7, 8]
    assert not RSVP.objects.exists()
    assert not Donor.objects.filter(last_name__in=["Rauf", "Sheikh", "Ahmed"]).exists()


def test_skipping_bad_rows_imports_the_good_ones(client, organizer, dinner):
    client.force_login(organizer)
    content = csv_bytes(HEADER[:6], [
        ["indy-gala", "ali@example.org", "", "", "yes", "2"],
        ["indy-gala", "hina@example.org", "Hina", "Rauf", "perhaps", "1"],
    ])  # fmt: skip

    page = confirm(client, upload(client, content, skip_errors=True))

    assert "1 new, 0 updated, 0 unchanged and 1 skipped RSVPs" in page.text
    assert RSVP.objects.count() == 1


def test_an_import_never_overfills_an_event_it_fills_the_waitlist_in_file_order(
    client, organizer, dinner
):
    event, ali = dinner  # 6 seats
    services.rsvp_submit(event=event, donor=ali, answer="yes", party_size=4)
    client.force_login(organizer)
    content = csv_bytes(HEADER[:6], [
        ["indy-gala", "hina@example.org", "Hina", "Rauf", "yes", "2"],
        ["indy-gala", "omar@example.org", "Omar", "Sheikh", "yes", "2"],
        ["indy-gala", "sara@example.org", "Sara", "Ahmed", "yes", "1"],
    ])  # fmt: skip

    preview = upload(client, content)
    assert (
        "Omar Sheikh → Indy Gala: yes, party of 2 (the event is full: waitlist #1)" in preview.text
    )
    assert (
        "Sara Ahmed → Indy Gala: yes, party of 1 (the event is full: waitlist #2)" in preview.text
    )
    assert RSVP.objects.count() == 1

    page = confirm(client, preview)
    assert "2 joined a waitlist: their event is full." in page.text
    assert services.seats_taken(event) == 6
    waiting = RSVP.objects.filter(waitlist_position__isnull=False).order_by("waitlist_position")
    assert [r.donor.last_name for r in waiting] == ["Sheikh", "Ahmed"]


def test_a_guest_already_waiting_whose_row_changes_did_not_just_join_the_waitlist(
    client, organizer, dinner
):
    event, ali = dinner  # 6 seats
    services.rsvp_submit(event=event, donor=ali, answer="yes", party_size=4)
    header = HEADER[:6] + ["dietary_needs"]
    client.force_login(organizer)
    first = csv_bytes(header, [
        ["indy-gala", "hina@example.org", "Hina", "Rauf", "yes", "2", ""],
        ["indy-gala", "omar@example.org", "Omar", "Sheikh", "yes", "2", ""],
    ])  # fmt: skip
    assert "1 joined a waitlist" in confirm(client, upload(client, first)).text

    changed = csv_bytes(header, [
        ["indy-gala", "hina@example.org", "Hina", "Rauf", "yes", "2", ""],
        ["indy-gala", "omar@example.org", "Omar", "Sheikh", "yes", "2", "vegetarian"],
    ])  # fmt: skip
    page = confirm(client, upload(client, changed))
    assert "1 updated" in page.text
    assert "joined a waitlist" not in page.text
    assert RSVP.objects.get(donor__last_name="Sheikh").waitlist_position == 1


def test_an_answer_to_an_event_that_is_closed_is_refused(client, organizer, dinner):
    event, _ = dinner
    event.status = "closed"
    event.save(update_fields=["status"])
    client.force_login(organizer)

    preview = upload(client, _file())

    assert "confirm_form" not in preview.context
    assert "Indy Gala: This event is not taking RSVPs." in preview.text
    assert not RSVP.objects.exists()


def _hostile(dinner):
    event, ali = dinner
    ali.first_name = '=HYPERLINK("http://evil.example")'
    ali.save(update_fields=["first_name"])
    return services.rsvp_submit(
        event=event, donor=ali, answer="yes", party_size=3,
        guest_names="@SUM(A1)\n-2+3", dietary_needs="+cmd|' /C calc'!A0",
    )  # fmt: skip


def test_organizer_exports_csv_with_every_formula_neutralized_and_it_reads_back_unchanged(
    client, organizer, dinner
):
    rsvp = _hostile(dinner)
    client.force_login(organizer)

    response = export(client, "export_rsvps_csv", [rsvp.pk])

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    [row] = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert row["event"] == "indy-gala"
    assert row["donor_first_name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["guest_names"] == "'@SUM(A1)\n-2+3"
    assert row["dietary_needs"] == "'+cmd|' /C calc'!A0"
    assert not any("amount" in column or "gift" in column for column in row)

    preview = upload(client, content, name="rsvps-export.csv")
    assert preview.text.count("(unchanged)") == 1
    assert "confirm_form" in preview.context


def test_xlsx_export_keeps_text_as_typed_and_reads_back_unchanged(client, staff, dinner):
    from openpyxl import load_workbook

    rsvp = _hostile(dinner)
    client.force_login(staff)

    response = export(client, "export_rsvps_xlsx", [rsvp.pk])

    data = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["dietary_needs"] == "+cmd|' /C calc'!A0"  # a text cell, as typed
    assert record["party_size"] == 3  # numbers stay numbers
    preview = upload(client, data, name="rsvps.xlsx", fmt="1")
    assert preview.text.count("(unchanged)") == 1


def test_board_members_neither_import_nor_see_the_import(client, board, dinner):
    client.force_login(board)
    assert upload(client, _file()).status_code == 403
    assert client.get(f"{URL}import/").status_code == 403
    assert not RSVP.objects.exists()


def test_the_command_imports_checks_and_reports_as_json(dinner, tmp_path, capsys):
    import json

    from django.core.management import CommandError, call_command

    path = tmp_path / "rsvps.csv"
    path.write_bytes(_file())
    call_command("import_rsvps", str(path), "--dry-run")
    assert not RSVP.objects.exists()

    call_command("import_rsvps", str(path), "--json")
    summary = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert (summary["new"], summary["donors_created"], summary["imported"]) == (3, 2, True)
    call_command("import_rsvps", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["unchanged"] == 3

    path.write_bytes(_file(slug="gala-of-nowhere"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_rsvps", str(path))
    assert "event 'gala-of-nowhere' is not the slug of any event" in capsys.readouterr().err


def test_a_superscript_digit_in_party_size_is_a_row_error_not_a_crash(dinner, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "rsvps.csv"
    path.write_bytes(csv_bytes(HEADER, [
        ["indy-gala", "sara@example.org", "Sara", "Ahmed", "yes", "\u00b2", "", "", ""],
    ]))  # fmt: skip
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_rsvps", str(path))
    assert "party_size '\u00b2' is not a whole number" in capsys.readouterr().err
    assert not RSVP.objects.exists()


def test_the_import_page_names_the_columns_and_what_skipping_bad_rows_does(
    client, organizer, dinner
):
    client.force_login(organizer)
    page = client.get(f"{URL}import/")
    assert page.status_code == 200
    assert "event, donor_email, donor_first_name" in page.text
    assert "listed, with their errors, in the preview" in page.text
    assert "offers them as a CSV file with an error column" in page.text


def test_a_row_the_rsvp_rules_refuse_stops_the_whole_file(client, organizer, dinner):
    event, ali = dinner  # 6 seats
    services.rsvp_submit(event=event, donor=ali, answer="yes", party_size=2)
    hina = factories.make_donor(first_name="Hina", last_name="Rauf", email="hina@example.org")
    services.rsvp_submit(event=event, donor=hina, answer="yes", party_size=4)
    client.force_login(organizer)
    content = csv_bytes(HEADER[:6], [
        ["indy-gala", "omar@example.org", "Omar", "Sheikh", "maybe", "1"],
        ["indy-gala", "ali@example.org", "", "", "yes", "4"],  # 2 more seats: none are free
    ])  # fmt: skip

    preview = upload(client, content)

    assert "confirm_form" not in preview.context
    assert "Only 2 seats can be yours: your party of 2 stays confirmed." in preview.text
    assert [row.number for row in preview.context["result"].invalid_rows] == [3]
    assert RSVP.objects.get(donor=ali).party_size == 2
    assert not Donor.objects.filter(last_name="Sheikh").exists()

    page = confirm(client, upload(client, content, skip_errors=True))
    assert "1 new, 0 updated, 0 unchanged and 1 skipped RSVPs" in page.text
    assert RSVP.objects.get(donor__last_name="Sheikh").answer == "maybe"
    assert RSVP.objects.get(donor=ali).party_size == 2
