"""An RSVP import that writes records an ImportRun, like the donor and gift imports: with bad
rows skipped, the run's page offers them as a CSV with an error column, the admin's message
links to it, and the command writes the same file. Organizers open their own RSVP runs only,
never a donor or gift run (amounts) nor another organizer's."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from common.roles import EVENT_ORGANIZER
from donors.models import Donor, ImportRun
from events.models import RSVP, Table
from tests import factories
from tests.donors.import_files import csv_bytes
from tests.events.test_rsvp_import_export import HEADER, confirm, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def gala(organization, settings, organizer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    event = factories.make_event(slug="indy-gala", name="Indy Gala", capacity=6,
                                 organizers=[organizer])  # fmt: skip
    Table.objects.create(event=event, name="Table 1")
    factories.make_donor(first_name="Ali", last_name="Raza", email="ali@example.org")
    return event


def _mixed_file() -> bytes:
    return csv_bytes(HEADER, [
        ["indy-gala", "ali@example.org", "", "", "yes", "2", "Sana Raza", "", "Table 1"],
        ["indy-gala", "hina@example.org", "Hina", "Rauf", "perhaps", "1", "", "", ""],
        ["indy-gala", "omar@example.org", "Omar", "Sheikh", "maybe", "", "", "", ""],
        ["indy-gala", "zain@example.org", "Zain", "Ali", "yes", "1", "", "", "Table 9"],
    ])  # fmt: skip


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_skipping_bad_rows_records_a_run_whose_page_offers_them_with_their_errors(
    client, organizer, gala
):
    client.force_login(organizer)

    preview = upload(client, _mixed_file(), skip_errors=True)
    assert not ImportRun.objects.exists()  # a preview records nothing

    page = confirm(client, preview)

    assert "2 new, 0 updated, 0 unchanged and 2 skipped RSVPs" in page.text
    run = ImportRun.objects.get()
    assert (run.kind, run.user, run.source, run.file_name) == (
        "rsvps",
        organizer,
        "admin",
        "rsvps.csv",
    )
    assert (run.rows, run.new, run.updated, run.unchanged, run.skipped, run.donors_created) == (
        4,
        2,
        0,
        0,
        2,
        1,
    )
    assert run.started_at <= run.finished_at
    assert list(Donor.objects.filter(import_run=run).values_list("last_name", flat=True)) == [
        "Sheikh"
    ]
    # The message links to the run's page, which the organizer may open.
    run_url = reverse("admin:donors_importrun_change", args=[run.pk])
    assert f'<a href="{run_url}">The import run</a> has the 2 rows not imported' in page.text
    run_page = client.get(run_url)
    assert run_page.status_code == 200
    rejected_url = reverse("admin:donors_importrun_rejected", args=[run.pk])
    assert f'<a href="{rejected_url}">2 rows, with their errors (CSV)</a>' in run_page.text
    new_donors = reverse("admin:donors_donor_changelist") + f"?import_run__id__exact={run.pk}"
    assert f'<a href="{new_donors}">new donors</a>' in run_page.text
    assert "Sheikh" in client.get(new_donors).text

    download = client.get(rejected_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    rows = _rows(download.content.decode())
    assert [r["donor_email"] for r in rows] == ["hina@example.org", "zain@example.org"]
    assert "line 3, answer 'perhaps'" in rows[0]["error"]
    assert "table 'Table 9' is not a table of Indy Gala" in rows[1]["error"]
    assert rows[1]["table"] == "Table 9"  # the row comes back as it was, to fix and import


def test_a_file_without_bad_rows_says_where_its_run_is_and_it_has_no_rejected_file(
    client, organizer, gala
):
    client.force_login(organizer)
    content = csv_bytes(HEADER[:6], [["indy-gala", "ali@example.org", "", "", "yes", "2"]])

    page = confirm(client, upload(client, content))

    run = ImportRun.objects.get()
    run_url = reverse("admin:donors_importrun_change", args=[run.pk])
    assert f'<a href="{run_url}">The import run</a>.' in page.text
    assert run.rejected_rows == ""
    run_page = client.get(run_url)
    assert run_page.status_code == 200
    assert "Rows not imported" in run_page.text
    assert reverse("admin:donors_importrun_rejected", args=[run.pk]) not in run_page.text


def test_a_file_with_errors_and_no_skipping_records_no_run(client, organizer, gala):
    client.force_login(organizer)
    preview = upload(client, _mixed_file())
    assert "confirm_form" not in preview.context
    assert not ImportRun.objects.exists()
    assert not RSVP.objects.exists()


def test_organizers_open_only_their_own_rsvp_runs_and_never_a_gift_run(
    client, organizer, staff, gala
):
    client.force_login(organizer)
    confirm(client, upload(client, _mixed_file(), skip_errors=True))
    mine = ImportRun.objects.get()
    other = factories.make_user("erin", EVENT_ORGANIZER)
    theirs = ImportRun.objects.create(
        kind="rsvps", file_name="theirs.csv", user=other, skipped=1, rejected_rows="a,error\n1,x\n",
        started_at=mine.started_at, finished_at=mine.finished_at,
    )  # fmt: skip
    from donors.imports.files import Sheet
    from donors.imports.gifts import gifts_import

    sheet = Sheet(name="gifts.csv", headers=["amount", "donor_email", "gift_date", "method"],
                  rows=[(2, {"donor_email": "ali@example.org", "amount": "250.00",
                             "gift_date": "2025-03-01", "method": "check"}),
                        (3, {"donor_email": "ali@example.org", "amount": "9,99.00",
                             "gift_date": "2025-03-01", "method": "check"})])  # fmt: skip
    gifts = gifts_import(sheet=sheet, user=organizer, skip_errors=True)
    assert gifts.imported and "9,99.00" in ImportRun.objects.get(pk=gifts.run_id).rejected_rows

    def pages(run):
        return [reverse("admin:donors_importrun_change", args=[run.pk]),
                reverse("admin:donors_importrun_rejected", args=[run.pk])]  # fmt: skip

    for url in pages(mine):
        assert client.get(url).status_code == 200, url
    # Their run's page offers no link to the list of runs, which they may not open.
    changelist = reverse("admin:donors_importrun_changelist")
    assert f'href="{changelist}"' not in client.get(pages(mine)[0]).text
    for run in (theirs, ImportRun.objects.get(pk=gifts.run_id)):
        for url in pages(run):
            assert client.get(url).status_code in (403, 404), url
    # No list of every run, and no runs in the app index, for an organizer.
    assert client.get(reverse("admin:donors_importrun_changelist")).status_code == 403
    assert "importrun" not in client.get(reverse("admin:app_list", args=["donors"])).text

    client.force_login(staff)
    for run in (mine, theirs, ImportRun.objects.get(pk=gifts.run_id)):
        for url in pages(run):
            assert client.get(url).status_code == 200, url
    assert f'href="{changelist}"' in client.get(pages(mine)[0]).text


def test_the_command_with_skip_errors_writes_the_bad_rows_with_an_error_column_and_a_run(
    gala, organizer, tmp_path, capsys
):
    path = tmp_path / "rsvps.csv"
    path.write_bytes(_mixed_file())

    call_command("import_rsvps", str(path), "--skip-errors", "--json", "--user", organizer.username)

    summary = json.loads(capsys.readouterr().out)
    assert (summary["new"], summary["skipped"], summary["imported"]) == (2, 2, True)
    rejects = tmp_path / "rsvps.csv.errors.csv"
    assert summary["errors_file"] == str(rejects)
    rows = _rows(rejects.read_text(encoding="utf-8"))
    assert list(rows[0]) == [*HEADER, "error"]
    assert [(r["donor_email"], bool(re.search(r"line \d+, ", r["error"]))) for r in rows] == [
        ("hina@example.org", True),
        ("zain@example.org", True),
    ]
    run = ImportRun.objects.get(pk=summary["import_run"])
    assert (run.kind, run.user, run.source, run.skipped) == ("rsvps", organizer, "command", 2)
    assert run.rejected_rows == rejects.read_bytes().decode("utf-8")
    assert RSVP.objects.count() == 2


def test_the_command_dry_run_records_no_run(gala, tmp_path):
    path = tmp_path / "rsvps.csv"
    path.write_bytes(_mixed_file())
    from io import StringIO

    err = StringIO()  # a dry run imports nothing, and says which rows a real run would skip
    call_command(
        "import_rsvps", str(path), "--skip-errors", "--dry-run", stdout=StringIO(), stderr=err
    )
    assert "a real run would skip those rows" in err.getvalue()
    assert not ImportRun.objects.exists()
    assert not (tmp_path / "rsvps.csv.errors.csv").exists()
