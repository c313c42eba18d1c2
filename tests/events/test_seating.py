"""The seating chart: organizers put confirmed parties at tables, never more people than
seats (refused with the figures); place cards and name badges print every guest's name, in
any script the receipts print."""

import re
import unicodedata

import pytest
from auditlog.models import LogEntry
from django.test import Client

from events.models import RSVP, MenuChoice, Table
from events.services import GuestDetails, menu_choice_save, rsvp_submit, table_save
from tests import factories
from tests.browser import ARTIFACTS
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(organization, organizer):
    event = factories.make_event(
        name="Indy Dinner", slug="indy", organizers=[organizer], party_size_limit=10
    )
    for name, seats in (("Table 4", 10), ("Table 10", 8)):
        table_save(table=Table(event=event, name=name, seats=seats))
    return event


def _party(event, last_name, size, first_name="Ayesha", **kwargs):
    donor = factories.make_donor(first_name=first_name, last_name=last_name)
    return rsvp_submit(event=event, donor=donor, answer="yes", party_size=size, **kwargs)


def _table(event, name):
    return Table.objects.get(event=event, name=name)


def _seat(client, rsvp, table, *, json=True):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        "/events/indy/seating/",
        {"rsvp": rsvp.pk, "table": table.pk if table else ""},
        headers=headers,
    )


@pytest.fixture
def dana(organizer):
    client = Client()
    client.force_login(organizer)
    return client


def test_the_chart_lists_tables_with_seats_left_and_the_parties_not_seated(dinner, dana):
    _party(dinner, "Khan", 3)
    rsvp_submit(event=dinner, donor=factories.make_donor(last_name="Absent"), answer="no")

    page = dana.get("/events/indy/seating/").content.decode()

    unseated = page[page.index('id="unseated"') : page.index('class="tables"')]
    assert "Ayesha Khan" in unseated and "Absent" not in page
    # Tables in their natural order, each with its seats.
    assert page.index("Table 4") < page.index("Table 10")
    assert "0 of 10 seats" in page and "10 left" in page
    assert 'href="/events/indy/place-cards.pdf"' in page
    assert 'href="/events/indy/badges.pdf"' in page
    assert "<script>" not in page  # the chart's script is a static file (CSP)


def test_an_organizer_seats_a_party_and_moves_it(dinner, dana, organizer):
    khan = _party(dinner, "Khan", 3)
    table4, table10 = _table(dinner, "Table 4"), _table(dinner, "Table 10")

    response = _seat(dana, khan, table4)

    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "Seated the Khan party at Table 4."}
    assert RSVP.objects.get(pk=khan.pk).table == table4
    assert "3 of 10 seats" in dana.get("/events/indy/seating/").content.decode()

    assert _seat(dana, khan, table10).json()["message"] == "Seated the Khan party at Table 10."
    assert RSVP.objects.get(pk=khan.pk).table == table10
    moved = LogEntry.objects.get_for_object(khan).first()
    assert (moved.actor, moved.changes_dict["table"]) == (
        organizer,
        [str(table4.pk), str(table10.pk)],
    )

    assert _seat(dana, khan, None).json()["message"] == "The Khan party has no table now."
    assert RSVP.objects.get(pk=khan.pk).table is None


def test_a_party_bigger_than_the_seats_left_is_refused_with_the_figures(dinner, dana):
    table4 = _table(dinner, "Table 4")
    for name, size in (("Raza", 4), ("Lee", 4)):
        assert _seat(dana, _party(dinner, name, size), table4).status_code == 200
    khan = _party(dinner, "Khan", 3)

    response = _seat(dana, khan, table4)

    assert response.status_code == 409
    assert response.json() == {
        "ok": False,
        "message": "Table 4 has 2 seats left; the Khan party is 3.",
    }
    assert RSVP.objects.get(pk=khan.pk).table is None
    # Two more fit exactly; then the table is full.
    assert _seat(dana, _party(dinner, "Ng", 2), table4).status_code == 200
    full = _seat(dana, _party(dinner, "Cho", 1), table4)
    assert full.json()["message"] == "Table 4 has no seats left; the Cho party is 1."


def test_without_script_the_list_and_button_seat_a_party_with_a_message(dinner, dana):
    khan = _party(dinner, "Khan", 9)
    table10 = _table(dinner, "Table 10")

    response = _seat(dana, khan, table10, json=False)

    assert response.status_code == 302 and response["Location"] == "/events/indy/seating/"
    page = dana.get("/events/indy/seating/").content.decode()
    assert "Table 10 has 8 seats left; the Khan party is 9." in page
    assert RSVP.objects.get(pk=khan.pk).table is None


def test_only_confirmed_parties_of_this_event_can_be_seated(dinner, dana):
    table4 = _table(dinner, "Table 4")
    maybe = rsvp_submit(event=dinner, donor=factories.make_donor(last_name="Ode"), answer="maybe")
    other_event = factories.make_event(slug="other")
    stranger = _party(other_event, "Far", 1)

    assert _seat(dana, maybe, table4).json()["message"] == "The Ode party is not confirmed."
    assert _seat(dana, stranger, table4).status_code == 404
    assert RSVP.objects.filter(table__isnull=False).count() == 0


def test_a_seated_party_that_grows_past_its_tables_seats_loses_the_table(dinner, dana):
    table10 = _table(dinner, "Table 10")
    khan = _party(dinner, "Khan", 4)
    _seat(dana, _party(dinner, "Lee", 4), table10)
    _seat(dana, khan, table10)

    rsvp_submit(event=dinner, donor=khan.donor, answer="yes", party_size=3)
    assert RSVP.objects.get(pk=khan.pk).table == table10  # smaller: still fits
    rsvp_submit(event=dinner, donor=khan.donor, answer="yes", party_size=5)
    assert RSVP.objects.get(pk=khan.pk).table is None  # organizers seat them again
    rsvp_submit(event=dinner, donor=khan.donor, answer="no")
    assert RSVP.objects.get(pk=khan.pk).table is None


def test_the_seating_chart_is_for_this_events_organizers_and_staff(dinner, role_users):
    khan = _party(dinner, "Khan", 2)
    table4 = _table(dinner, "Table 4")
    board, stranger = Client(), Client()
    board.force_login(role_users["Board member"])
    stranger.force_login(factories.make_user("erin", "Event organizer"))
    staff = Client()
    staff.force_login(role_users["Staff"])

    assert _seat(board, khan, table4).status_code == 403
    assert stranger.get("/events/indy/seating/").status_code == 404
    assert _seat(stranger, khan, table4).status_code == 404
    assert RSVP.objects.get(pk=khan.pk).table is None
    assert _seat(staff, khan, table4).status_code == 200


NAMES = [
    ("Zoë", "Łukasiewicz-Ñúñez"),
    ("عائشہ", "خان"),
    ("Дмитрий", "Иванов"),
    ("小龍", "李"),
    ("Ελένη", "Παπαδοπούλου"),
]


def _readable(text: str) -> str:
    """As a reader sees it (tests/compliance/test_pdf_scripts.py): Arabic contextual forms
    folded back to their letters, runs of space made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_place_cards_and_badges_print_every_guests_name_in_any_script(dinner, dana):
    fish = menu_choice_save(menu_choice=MenuChoice(event=dinner, name="Fish"))
    table4 = _table(dinner, "Table 4")
    first = _party(
        dinner,
        NAMES[0][1],
        3,
        first_name=NAMES[0][0],
        guests=[GuestDetails(meal=fish), *(GuestDetails(f"{f} {la}") for f, la in NAMES[1:3])],
    )
    _seat(dana, first, table4)
    _party(
        dinner,
        "李",
        2,
        first_name="小龍",
        guests=[GuestDetails(), GuestDetails("Ελένη Παπαδοπούλου")],
    )

    cards = dana.get("/events/indy/place-cards.pdf")
    badges = dana.get("/events/indy/badges.pdf")

    ARTIFACTS.mkdir(exist_ok=True)  # kept to look at
    (ARTIFACTS / "place-cards.pdf").write_bytes(cards.content)
    (ARTIFACTS / "badges.pdf").write_bytes(badges.content)
    assert cards["Content-Type"] == "application/pdf"
    assert badges["Content-Disposition"] == 'attachment; filename="indy-badges.pdf"'
    for response in (cards, badges):
        text = _readable(pdf_text(response.content))
        for first_name, last_name in NAMES:
            assert f"{first_name} {last_name}" in text, (first_name, text)
        assert "\x00" not in text  # no glyph was missing
        assert "Table 4" in text
    card_text = _readable(pdf_text(cards.content))
    assert "Fish" in card_text and "Table not yet chosen" in card_text
    assert "Guest of 小龍 李" in _readable(pdf_text(badges.content))
