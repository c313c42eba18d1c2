"""Large donor and gift exports, and every XLSX, are written by a background task: a page shows
the progress (refreshing itself) and then a download link that only the person who asked for
the file (and Administrators) can use; the file is deleted when it expires."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.core.files.storage import default_storage
from django.utils import timezone
from django_q.models import Schedule

from common import roles
from donors.models import ExportJob
from donors.services.exports import export_files_expire
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def gifts(organization):
    donor = factories.make_donor(first_name='=HYPERLINK("http://evil.example")', last_name="Khan")
    return [
        factories.make_gift(donor=donor, amount=Decimal(amount), notes="-2+3")
        for amount in ("10.10", "20.20", "30.30")
    ]


def _export(client, model, action, ids, capture):
    with capture(execute=True):
        return client.post(
            f"/admin/donors/{model}/",
            {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(i) for i in ids]},
        )


def _csv(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_a_csv_over_the_threshold_is_written_in_the_background_and_downloaded_by_its_owner(
    client, staff, gifts, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    response = _export(
        client, "gift", "export_csv", [g.pk for g in gifts], django_capture_on_commit_callbacks
    )

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Ready:</strong>" in page.text and "3 / 3 rows" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert f'href="/exports/{job.pk}/download/"' in page.text
    rows = _csv(client.get(f"/exports/{job.pk}/download/"))
    assert sorted(r["amount"] for r in rows) == ["10.10", "20.20", "30.30"]
    assert {r["donor"] for r in rows} == {'\'=HYPERLINK("http://evil.example") Khan'}
    assert {r["notes"] for r in rows} == {"'-2+3"}
    assert (job.requested_by, job.kind, job.format) == (staff, "gifts", "csv")


def test_a_csv_under_the_threshold_still_streams_at_once(
    client, staff, gifts, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response = _export(
        client, "gift", "export_csv", [gifts[0].pk, gifts[1].pk], django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert len(_csv(response)) == 2
    assert not ExportJob.objects.exists()


def test_a_donor_workbook_for_the_whole_filtered_list(
    client, board, gifts, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    client.force_login(board)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/donors/donor/?q=Khan",
            {"action": "export_xlsx", "select_across": "1",
             helpers.ACTION_CHECKBOX_NAME: [str(gifts[0].donor_id)]},
        )  # fmt: skip
    assert response.status_code == 302
    download = client.get(response["Location"] + "download/")
    assert download["Content-Disposition"].startswith('attachment; filename="donors-')
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    header, *rows = list(book.worksheets[0].iter_rows(values_only=True))
    record = dict(zip(header, rows[0], strict=True))
    # A workbook keeps the text as stored: it is a text cell, which no spreadsheet runs.
    assert record["donor_first_name"] == '=HYPERLINK("http://evil.example")'
    assert record["lifetime_total"] == 60.6  # board members see giving: with the figures


def test_only_the_requester_and_administrators_fetch_the_file(
    client, staff, administrator, board, organizer, gifts, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _export(client, "gift", "export_xlsx", [gifts[0].pk], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    colleague = factories.make_user("erin", roles.STAFF)
    for user in (colleague, board, organizer):
        client.force_login(user)
        assert client.get(f"/exports/{job.pk}/").status_code == 404, user
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404, user
    client.force_login(administrator)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200
    client.logout()
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_page_refreshes_itself_while_the_export_runs(client, staff, organization):
    job = ExportJob.objects.create(kind="donors", format="xlsx", query=b"", requested_by=staff,
                                   status="running", total=50000, done=12000)  # fmt: skip
    client.force_login(staff)
    page = client.get(f"/exports/{job.pk}/")
    assert 'http-equiv="refresh"' in page.text
    assert "12000 / 50000 rows" in page.text
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_files_expire_and_an_hourly_schedule_deletes_them(
    client, staff, gifts, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _export(client, "gift", "export_xlsx", [gifts[0].pk], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    path = job.file.name
    assert default_storage.exists(path)

    assert export_files_expire(now=job.expires_at - datetime.timedelta(minutes=1)) == 0
    assert export_files_expire(now=timezone.now() + datetime.timedelta(days=3)) == 1

    assert not default_storage.exists(path)
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "")
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert "has expired" in client.get(f"/exports/{job.pk}/").text
    assert Schedule.objects.filter(func="donors.tasks.export_files_expire_task").exists()


def test_each_user_lists_their_own_exports_and_administrators_everyones(
    client, staff, administrator, board, gifts, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _export(client, "gift", "export_xlsx", [gifts[0].pk], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    link = f'href="/exports/{job.pk}/download/"'
    assert link in client.get("/exports/").text
    client.force_login(board)
    assert link not in client.get("/exports/").text
    client.force_login(administrator)
    page = client.get("/exports/").text
    assert link in page and "bob" in page


def test_select_all_on_a_filtered_gift_list_exports_that_list(
    client, staff, gifts, django_capture_on_commit_callbacks
):
    factories.make_gift(amount=Decimal("99.00"))  # another donor's: filtered out
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/donors/gift/?donor__id__exact={gifts[0].donor_id}",
            {"action": "export_csv", "select_across": "1",
             helpers.ACTION_CHECKBOX_NAME: [str(gifts[0].pk)]},
        )  # fmt: skip
    assert response.status_code == 302
    rows = _csv(client.get(response["Location"] + "download/"))
    assert sorted(r["amount"] for r in rows) == ["10.10", "20.20", "30.30"]
