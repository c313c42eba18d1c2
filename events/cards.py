"""Place cards and name badges as PDFs (reportlab), one per person of every confirmed party.

Names go through common.pdf_text, as on receipts and the door list, so a name in any script
it covers prints (Urdu and Arabic shaped right to left, Chinese, Cyrillic, Greek, every Latin
diacritic), and a name too long for its card is set smaller until it fits.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch

from common import pdf_text
from donors.text import printable
from events.models import RSVP, Answer, Event


def _people(event: Event) -> Iterator[tuple[RSVP, object]]:
    """Every person of every confirmed party, by table (seated first) then party name."""
    rsvps = (
        RSVP.objects.filter(event=event, answer=Answer.YES, waitlist_position__isnull=True)
        .select_related("donor", "table")
        .prefetch_related("guests__meal")
        .order_by("table__name", "donor__sort_name", "id")
    )
    seated = sorted(rsvps, key=lambda r: r.table is None)
    for rsvp in seated:
        for person in rsvp.people():
            yield rsvp, person


def _fitted(canvas, x: float, y: float, text: str, *, size: float, width: float, bold=True):
    """One centred line, shrunk (down to a third) until it fits the width."""
    text = printable(text)
    while size > 8 and pdf_text.width(text, bold=bold, size=size) > width:
        size -= 1
    pdf_text.draw(canvas, x, y, text, bold=bold, size=size, align="centre")


def _sheet(event: Event, *, title: str, columns: int, rows: int, card_w: float, card_h: float):
    """A canvas for a grid of cards on letter paper, and the cards' lower-left corners."""
    pdf_text.register_fonts()
    out = io.BytesIO()
    canvas = pdf_text.DocumentCanvas(out, pagesize=letter, initialFontName=pdf_text.REGULAR)
    canvas.setTitle(printable(f"{title}: {event.name}"))
    page_w, page_h = letter
    left = (page_w - columns * card_w) / 2
    top = page_h - (page_h - rows * card_h) / 2
    corners = [
        (left + column * card_w, top - (row + 1) * card_h)
        for row in range(rows)
        for column in range(columns)
    ]
    return out, canvas, corners


def _frame(canvas, x: float, y: float, w: float, h: float, *, fold: bool = False) -> None:
    """A light cutting line around the card (and the fold, for a place card)."""
    canvas.flush_text()
    canvas.setStrokeColor(colors.lightgrey)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 3)
    canvas.rect(x, y, w, h)
    if fold:
        canvas.line(x, y + h / 2, x + w, y + h / 2)
    canvas.setDash()


def place_cards_pdf(event: Event) -> bytes:
    """Folded place cards, eight a page: the guest's name large and their table beneath, on
    the lower half (the upper half folds behind); the meal small, for the servers."""
    card_w, card_h = 4.25 * inch, 2.5 * inch
    out, canvas, corners = _sheet(
        event, title="Place cards", columns=2, rows=4, card_w=card_w, card_h=card_h
    )
    count = 0
    for rsvp, person in _people(event):
        if count and count % len(corners) == 0:
            canvas.showPage()
        x, y = corners[count % len(corners)]
        count += 1
        _frame(canvas, x, y, card_w, card_h, fold=True)
        middle = x + card_w / 2
        _fitted(canvas, middle, y + 0.6 * inch, person.name, size=22, width=card_w - 0.4 * inch)
        table = rsvp.table.name if rsvp.table else "Table not yet chosen"
        _fitted(canvas, middle, y + 0.3 * inch, table, size=12, width=card_w - 0.4 * inch,
                bold=False)  # fmt: skip
        if person.meal:
            _fitted(canvas, middle, y + 0.1 * inch, person.meal, size=8, width=card_w - 0.4 * inch,
                    bold=False)  # fmt: skip
    if not count:
        pdf_text.draw(canvas, inch, 10 * inch, "No confirmed guests yet.", size=14)
    canvas.save()
    return out.getvalue()


def badges_pdf(event: Event) -> bytes:
    """Name badges, six a page (4 × 3 inches, the common badge insert): the name large, whose
    party they came with, the table and the event's name."""
    card_w, card_h = 4 * inch, 3 * inch
    out, canvas, corners = _sheet(
        event, title="Name badges", columns=2, rows=3, card_w=card_w, card_h=card_h
    )
    count = 0
    for rsvp, person in _people(event):
        if count and count % len(corners) == 0:
            canvas.showPage()
        x, y = corners[count % len(corners)]
        count += 1
        _frame(canvas, x, y, card_w, card_h)
        middle = x + card_w / 2
        inner = card_w - 0.4 * inch
        _fitted(canvas, middle, y + 2.45 * inch, event.name, size=11, width=inner, bold=False)
        _fitted(canvas, middle, y + 1.45 * inch, person.name, size=28, width=inner)
        host = rsvp.donor.display_name
        if person.position > 1 and not person.name.startswith("Guest of "):
            _fitted(canvas, middle, y + 1.0 * inch, f"Guest of {host}", size=12, width=inner,
                    bold=False)  # fmt: skip
        if rsvp.table:
            _fitted(canvas, middle, y + 0.4 * inch, rsvp.table.name, size=14, width=inner)
    if not count:
        pdf_text.draw(canvas, inch, 10 * inch, "No confirmed guests yet.", size=14)
    canvas.save()
    return out.getvalue()
