"""Every count of an event comes from selectors.event_counts, so the door page, the door-list
PDF, the summary, "My events", the attendee exports and the public page agree, for an event
with booked parties, ticket buyers, a partial check-in, walk-ins, a waitlist, a maybe and a
no."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from events.models import RSVP, TicketHold
from events.selectors import event_counts, next_events
from events.services import rsvp_check_in, rsvp_submit, ticket_purchase_record, walk_in_add
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 10, 1)


@pytest.fixture
def gala(organization, organizer):
    event = factories.make_event(
        name="Spring Gala", slug="gala", capacity=16, organizers=[organizer]
    )
    seat = factories.make_ticket_type(event, name="Dinner seat", quantity=10)
    table = factories.make_ticket_type(event, name="Table of four", seats=4, price=Decimal(600))

    def yes(name, party):
        donor = factories.make_donor(first_name=name, last_name="Guest")
        return rsvp_submit(event=event, donor=donor, answer="yes", party_size=party)

    amna, bilal, _chen = yes("Amna", 3), yes("Bilal", 2), yes("Chen", 2)
    ticket_purchase_record(
        ticket_type=seat,
        donor=factories.make_donor(first_name="Dina", last_name="Buyer"),
        method="check",
        gift_date=DAY,
    )
    ticket_purchase_record(
        ticket_type=table,
        donor=factories.make_donor(first_name="Emre", last_name="Buyer"),
        method="check",
        gift_date=DAY,
    )
    walk_in_add(event=event, first_name="Walk", last_name="Inn", count=2)
    yes("Farah", 3)  # 14 seats taken of 16: waits
    no = factories.make_donor(first_name="Gul", last_name="Guest")
    rsvp_submit(event=event, donor=no, answer="no")
    maybe = factories.make_donor(first_name="Hina", last_name="Guest")
    rsvp_submit(event=event, donor=maybe, answer="maybe", party_size=2)
    rsvp_check_in(rsvp=amna, count=2)  # one of three has come so far
    rsvp_check_in(rsvp=bilal, count=2)
    rsvp_check_in(rsvp=RSVP.objects.get(event=event, donor__first_name="Emre"), count=4)
    return event


# Booked ahead: Amna 3, Bilal 2, Chen 2, Dina's seat 1, Emre's table 4.
EXPECTED = {
    "expected": 12,
    "arrived": 8,  # Amna 2 of 3, Bilal 2, Emre 4
    "not here yet": 3,  # Chen 2, Dina 1
    "walk-ins": 2,
    "in the room": 10,
    "seats left": 2,  # 16 less 12 booked and 2 walk-ins
}
FIGURE = re.compile(
    r"(expected|arrived|not here yet|walk-ins|in the room|seats left)\D{0,3}?(\d+)", re.I
)


def figures(text: str) -> dict[str, int]:
    """The labelled figures of a page or a PDF: "Expected 12 · arrived 8 · ..."."""
    text = re.sub(r"<[^>]+>", " ", " ".join(text.split()))
    found = {}
    for label, value in FIGURE.findall(text):
        found.setdefault(label.lower(), int(value))
    return found


def test_the_one_function_counts_as_an_organizer_would(gala):
    counts = event_counts(gala)

    assert (counts.expected, counts.parties_expected) == (12, 5)
    assert (counts.arrived, counts.parties_arrived, counts.not_arrived) == (8, 3, 3)
    assert (counts.walk_ins, counts.walk_in_parties, counts.in_room) == (2, 1, 10)
    assert (counts.seats_confirmed, counts.capacity, counts.seats_left) == (14, 16, 2)
    assert (counts.waitlist, counts.waitlist_parties) == (3, 1)
    assert (counts.maybe, counts.maybe_parties, counts.declined_parties) == (2, 1, 1)
    seat, table = gala.ticket_types.order_by("price")
    # Nine dinner seats are unsold, but only two seats are left; a table of four fits no more.
    assert (counts.tickets_left(seat), counts.tickets_left(table)) == (2, 0)


def test_seats_being_paid_for_leave_fewer_tickets_but_the_same_seats_left(gala):
    seat = gala.ticket_types.get(name="Dinner seat")
    TicketHold.objects.create(
        ticket_type=seat,
        quantity=1,
        seats=1,
        email="payer@example.org",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )

    counts = event_counts(gala)

    # An RSVP may still take both seats (as rsvp_submit counts); one ticket may be bought.
    assert (counts.seats_left, counts.seats_held, counts.tickets_left(seat)) == (2, 1, 1)
    [board_event] = next_events()
    assert (board_event.yes_seats, board_event.waitlist_seats) == (
        counts.seats_confirmed,
        counts.waitlist,
    )


def test_door_page_pdf_summary_and_my_events_show_the_same_figures(client, organizer, gala):
    client.force_login(organizer)

    door = client.get("/events/gala/check-in/")
    live = client.get("/events/gala/check-in/search/?q=").json()["counts"]
    pdf = client.get("/events/gala/door-list.pdf").content
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    summary = client.get("/events/gala/summary/").content.decode()
    mine = client.get("/my-events/").content.decode()
    card = mine[mine.index('id="event-gala"') :]

    by_key = {k.replace("_", " ").replace("walk ins", "walk-ins"): v for k, v in live.items()}
    by_key["not here yet"], by_key["in the room"] = live["not_arrived"], live["in_room"]
    assert {k: by_key[k] for k in EXPECTED} == EXPECTED
    assert door.context["counts"] == live
    assert figures(pdf_text) == EXPECTED
    assert figures(summary) == EXPECTED
    assert {k: v for k, v in figures(card).items() if k in EXPECTED} == {
        k: EXPECTED[k] for k in ("expected", "arrived", "walk-ins", "seats left")
    }
    assert "waitlist 3 (1 party)" in " ".join(pdf_text.split())


def test_the_exports_add_up_to_the_same_figures(client, organizer, gala):
    client.force_login(organizer)

    text = client.get("/events/gala/attendees.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    book = load_workbook(io.BytesIO(client.get("/events/gala/attendees.xlsx").content))
    sheet = list(book.active.values)
    sheet_rows = [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]

    for export in (rows, sheet_rows):
        booked = [r for r in export if r["Walk-in"] != "yes"]
        walk_ins = [r for r in export if r["Walk-in"] == "yes"]
        came = sum(int(r["Checked in"] or 0) for r in booked)
        assert sum(int(r["Party size"]) for r in booked) == EXPECTED["expected"]
        assert came == EXPECTED["arrived"]
        assert sum(int(r["Checked in"] or 0) for r in walk_ins) == EXPECTED["walk-ins"]
        # The waitlist, the maybe and the no are not on the attendee list.
        assert len(export) == 6


def test_the_public_page_seats_left_and_tickets_left_agree(client, gala):
    page = " ".join(client.get("/events/gala/").content.decode().split())

    assert "2 seats left." in page
    assert "(2 left)" in page  # nine dinner seats unsold, but two seats left in the room
    assert "(9 left)" not in page
    table = page[page.index("Table of four") :]
    assert table.index("Sold out") < table.index("</p>")
