"""Attendee exports: CSV and XLSX with dietary needs and tables (formulas neutralized), and the
printable door list."""

import csv
import io

import pytest
from openpyxl import load_workbook

from events.models import Table
from events.services import rsvp_details_save, rsvp_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organization, organizer):
    event = factories.make_event(name="Chicago Dinner", slug="chicago", organizers=[organizer])
    table = Table.objects.create(event=event, name="Table 7")
    khan = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    evil = factories.make_donor(first_name='=HYPERLINK("http://x")', last_name="Evil")
    rsvp = rsvp_submit(
        event=event,
        donor=khan,
        answer="yes",
        party_size=2,
        guest_names="Omar Khan",
        dietary_needs="vegetarian",
    )
    rsvp_details_save(rsvp=rsvp, table=table, guest_names="Omar Khan", dietary_needs="vegetarian")
    rsvp_submit(event=event, donor=evil, answer="yes", dietary_needs="+1 nuts, @home, -gluten")
    rsvp_submit(event=event, donor=factories.make_donor(last_name="Absent"), answer="no")
    return event


def test_csv_lists_who_comes_with_dietary_needs_and_tables(client, organizer, event):
    client.force_login(organizer)

    response = client.get("/events/chicago/attendees.csv")

    assert response["Content-Disposition"] == 'attachment; filename="chicago-attendees.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Name", "Email", "Party size", "Guests", "Dietary needs", "Table"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ayesha Khan"][1:6] == [
        "ayesha@example.org",
        "2",
        "Omar Khan",
        "vegetarian",
        "Table 7",
    ]
    assert "Absent" not in response.content.decode()
    # Formula cells are made text with a leading quote.
    assert '\'=HYPERLINK("http://x") Evil' in by_name
    assert by_name['\'=HYPERLINK("http://x") Evil'][4] == "'+1 nuts, @home, -gluten"


def test_xlsx_has_the_same_rows_as_typed_and_no_formulas(client, organizer, event):
    client.force_login(organizer)

    response = client.get("/events/chicago/attendees.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    evil = next(row for row in values if "Evil" in row[0])
    # Text cells hold the text as typed: a workbook runs only formula cells, and there are none.
    assert (evil[0], evil[4]) == ('=HYPERLINK("http://x") Evil', "+1 nuts, @home, -gluten")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [
        "Ayesha Khan",
        "ayesha@example.org",
        "2",
        "Omar Khan",
        "vegetarian",
        "Table 7",
        None,
        None,
    ] in values


def test_the_door_list_pdf_names_every_party(client, organizer, event):
    from pypdf import PdfReader

    client.force_login(organizer)

    response = client.get("/events/chicago/door-list.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Door list: Chicago Dinner" in text
    assert "Ayesha Khan" in text and "Table 7" in text and "vegetarian" in text
    assert "Expected 3 (seats booked ahead, 2 parties)" in " ".join(text.split())


@pytest.mark.parametrize(
    "name", ["عائشہ خان", "李小龍", "Дмитрий Шостакович", "Zoë Łukasiewicz-Ñúñez"]
)
def test_the_door_list_prints_names_in_any_script(client, organizer, event, name):
    import re
    import unicodedata

    from pypdf import PdfReader

    first, last = name.rsplit(" ", 1) if " " in name else ("", name)
    guest = factories.make_donor(first_name=first, last_name=last)
    rsvp_submit(event=event, donor=guest, answer="yes", party_size=2, guest_names=name)
    client.force_login(organizer)

    response = client.get("/events/chicago/door-list.pdf")

    reader = PdfReader(io.BytesIO(response.content))
    raw = "".join(page.extract_text() for page in reader.pages)
    # Arabic letters are drawn in their joined forms: NFKC folds them back to the letters.
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))
    assert guest.display_name in text
    assert name in text  # the guests' column too
    assert "\x00" not in raw  # no glyph was missing (a missing one reads back as NUL)
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    assert not any("Helvetica" in font for font in fonts), fonts
