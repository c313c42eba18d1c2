"""The attendee list as CSV and XLSX (spreadsheet formulas neutralized, each in its format's
way: donors.exports), and the door list as a printable PDF (reportlab)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from common.pdf_text import REGULAR, TextBlock, register_fonts
from donors.exports import csv_cell, safe_cell, xlsx_cells
from donors.text import printable
from events.models import Event
from events.selectors import EventCounts, attendees, event_counts

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
    book = Workbook()
    sheet = book.active
    sheet.title = "Attendees"
    sheet.append(HEADER)
    for row in attendee_rows(event):
        # Text cells, as stored: openpyxl never turns them into formulas.
        sheet.append(xlsx_cells(sheet, row))
    for column, width in zip("ABCDEFGH", (28, 30, 10, 30, 30, 12, 8, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def door_list_counts(counts: EventCounts) -> list[str]:
    """The door list's figures, worded as the door page and the summary word them."""
    c = counts

    def parties(n: int) -> str:
        return f"{n} part{'y' if n == 1 else 'ies'}"

    return [
        f"Expected {c.expected} (seats booked ahead, {parties(c.parties_expected)}) · "
        f"arrived {c.arrived} · not here yet {c.not_arrived} · walk-ins {c.walk_ins} · "
        f"in the room {c.in_room}",
        f"Capacity {c.capacity} · seats confirmed {c.seats_confirmed} · seats left "
        f"{c.seats_left} · waitlist {c.waitlist} ({parties(c.waitlist_parties)})",
    ]


def door_list_pdf(event: Event) -> bytes:
    """The door list: every party that said yes, with its party size, table, dietary needs and
    guests. Text goes through common.pdf_text, so names in any script it covers print (Urdu and
    Arabic shaped right to left, Chinese, Cyrillic, every Latin diacritic), not as boxes."""
    register_fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=letter,
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.5 * inch,
        title=f"Door list: {event.name}",
        initialFontName=REGULAR,
    )
    rows = [[TextBlock(h, bold=True) for h in ("", "Name", "Party", "Table", "Dietary needs",
                                                "Guests")]]  # fmt: skip
    for rsvp in attendees(event):
        name = rsvp.donor.display_name + (" (walk-in)" if rsvp.walk_in else "")
        # Names as stored: a control character in one prints as a space, not as a box.
        rows.append(
            [
                TextBlock("[x]" if rsvp.checked_in_count else "[  ]"),
                TextBlock(printable(name)),
                TextBlock(str(rsvp.party_size)),
                TextBlock(printable(rsvp.table.name if rsvp.table else "")),
                TextBlock(printable(rsvp.dietary_needs)),
                TextBlock(printable(rsvp.guest_names)),
            ]
        )
    start = event.local_start.strftime("%A, %B %-d, %Y, %-I:%M %p")
    story = [
        TextBlock(printable(f"Door list: {event.name}"), bold=True, size=16),
        Spacer(1, 0.08 * inch),
        TextBlock(printable(f"{start} · {event.venue}, {event.city}, {event.state}"), size=10),
        *(TextBlock(line, size=10) for line in door_list_counts(event_counts(event))),
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
                # Every cell is a TextBlock; the table's own font (Helvetica unless told)
                # would still be set in each cell.
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return out.getvalue()
