"""Donor and gift exports from the admin, read back as a spreadsheet program would."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin import helpers

from donors.exports import csv_cell
from tests import factories

pytestmark = pytest.mark.django_db


def export(client, model, action, ids):
    return client.post(
        f"/admin/donors/{model}/",
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(i) for i in ids]},
    )


def read_csv(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def read_xlsx(response) -> list[dict]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def hostile(organization):
    """A donor whose fields a spreadsheet would run as formulas."""
    donor = factories.make_donor(
        first_name='=HYPERLINK("http://evil.example")',
        last_name="@SUM(A1)",
        email="x@example.org",
        tags=["-2+3", "+cmd"],
        address={"line1": "=1+1", "city": "Carmel", "region": "IN", "postal_code": "46032"},
    )
    factories.make_gift(donor=donor, amount=Decimal("1234.56"), notes="=cmd|' /C calc'!A0")
    return donor


def test_every_formula_start_is_neutralized_in_a_csv():
    for text in ("=1", "+1", "-1", "@1", "\t1", "\r1"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Khan") == "Khan"
    assert csv_cell(Decimal("-5.00")) == "'-5.00"


def test_staff_export_donors_as_csv_with_formulas_neutralized(client, staff, hostile):
    client.force_login(staff)
    response = export(client, "donor", "export_csv", [hostile.pk])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="donors-')
    [row] = read_csv(response)
    assert row["donor_first_name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["donor_last_name"] == "'@SUM(A1)"
    assert row["address_line1"] == "'=1+1"
    assert row["tags"] == "'+cmd; -2+3"
    assert row["donor_email"] == "x@example.org"
    assert row["lifetime_total"] == "1234.56"


def test_board_members_export_gifts_as_xlsx_with_typed_amounts(
    client, board, hostile, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(board)
    gift = hostile.gifts.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, "gift", "export_xlsx", [gift.pk])
    # A workbook is written by a background task (tests run it at once): its page links it.
    assert response.status_code == 302
    response = client.get(response["Location"] + "download/")
    assert response.status_code == 200
    [row] = read_xlsx(response)
    assert row["amount"] == 1234.56
    assert row["notes"] == "=cmd|' /C calc'!A0"  # a text cell, as typed: never run
    assert row["donor_email"] == "x@example.org"
    assert row["method"] == "check"


def test_gift_export_as_csv_reads_back_every_selected_gift(client, staff, organization):
    donor = factories.make_donor()
    gifts = [
        factories.make_gift(donor=donor, amount=Decimal(a)) for a in ("10.10", "20.20", "30.30")
    ]
    client.force_login(staff)
    rows = read_csv(export(client, "gift", "export_csv", [g.pk for g in gifts]))
    assert sorted(r["amount"] for r in rows) == ["10.10", "20.20", "30.30"]


def test_event_organizers_cannot_export(client, organizer, hostile):
    client.force_login(organizer)
    response = export(client, "donor", "export_csv", [hostile.pk])
    # The action is not theirs: the admin shows the list again, with no file.
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "export_csv" not in response.text


def test_a_workbook_keeps_every_text_as_typed_in_text_cells(
    client, staff, organization, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A workbook runs only formula cells: text is written as text cells, as typed, with no
    protective quote (the CSV's quote would be stored literally in a workbook)."""
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    donor = factories.make_donor(
        first_name="=SUM(A1)", last_name="#N/A", phone="+1 317 555 0123",
        address={"line1": "+1 317 555 0123 (ask for Omar)", "line2": "-2+3", "city": "Carmel",
                 "region": "IN", "postal_code": "46032"},
    )  # fmt: skip
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, "donor", "export_xlsx", [donor.pk])
    download = client.get(response["Location"] + "download/")

    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert {name: cells[name].value for name in (
        "donor_first_name", "donor_last_name", "phone", "address_line1", "address_line2")} == {
        "donor_first_name": "=SUM(A1)",
        "donor_last_name": "#N/A",
        "phone": "+13175550123",
        "address_line1": "+1 317 555 0123 (ask for Omar)",
        "address_line2": "-2+3",
    }  # fmt: skip
    assert {
        cells[name].data_type
        for name in (
            "donor_first_name",
            "donor_last_name",
            "phone",
            "address_line1",
            "address_line2",
        )
    } == {"s"}
    # Marked as typed with a quote, so that editing the cell in Excel keeps it text.
    assert cells["donor_first_name"].quotePrefix and cells["phone"].quotePrefix
    assert cells["lifetime_total"].data_type == "n"
