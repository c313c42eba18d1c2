"""The attendee list as CSV and XLSX (spreadsheet formulas neutralized), and the door list
as a printable PDF (reportlab)."""

from __future__ import annotations

import csv
import io

from events.models import Event
from events.selectors import attendees
from donors.exports import csv_cell, safe_cell

HEADER = [
    "Name",
    "Email",
    "Party size",
    "Guests",
    "Dietary needs",
    "Table",
    "Walk-in",
    "Checked in",
]
def attendee_rows(event: Event) -> list[list[str]]:
    rows = []
    for rsvp in attendees(event):
        rows.append(
            [
                rsvp.donor.display_name,
                rsvp.email or "",
                str(rsvp.party_size),
                rsvp.guest_names.replace("\r\n", "; ").replace("\n", "; "),
                rsvp.dietary_needs,
                rsvp.table.name if rsvp.table else "",
                "yes" if rsvp.walk_in else "",
                str(rsvp.checked_in_count or ""),
            ]
        )
    return [[safe_cell(cell) for cell in row] for row in rows]


def attendees_csv(event: Event) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows([csv_cell(cell) for cell in row] for row in attendee_rows(event))
    # A byte-order mark so Excel reads the names' accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def attendees_xlsx(event: Event) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Attendees"
    sheet.append(HEADER)
    for row in attendee_rows(event):
        # Written as strings with data_type "s": openpyxl never turns them into formulas.
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    for column, width in zip("ABCDEFGH", (28, 30, 10, 30, 30, 12, 8, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def door_list_pdf(event: Event) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=letter,
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
        title=f"Door list: {event.name}",
    )
    cell = styles["BodyText"]
    rows = [["", "Name", "Party", "Table", "Dietary needs", "Guests"]]
    total = 0
    for rsvp in attendees(event):
        total += rsvp.party_size
        rows.append(
            [
                "[x]" if rsvp.checked_in_count else "[  ]",
                Paragraph(_escape(rsvp.donor.display_name), cell),
                str(rsvp.party_size),
                rsvp.table.name if rsvp.table else "",
                Paragraph(_escape(rsvp.dietary_needs), cell),
                Paragraph(_escape(rsvp.guest_names).replace("\n", "<br/>"), cell),
            ]
        )
    start = event.local_start.strftime("%A, %B %-d, %Y, %-I:%M %p")
    story = [
        Paragraph(_escape(f"Door list: {event.name}"), styles["Title"]),
        Paragraph(_escape(f"{start} · {event.venue}, {event.city}, {event.state}"), cell),
        Paragraph(f"{len(rows) - 1} parties, {total} guests expected", cell),
        Spacer(1, 0.2 * inch),
    ]
    table = Table(
        rows,
        colWidths=[0.4 * inch, 2.0 * inch, 0.5 * inch, 0.7 * inch, 1.8 * inch, 2.1 * inch],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
