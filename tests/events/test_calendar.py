"""The event's calendar file (.ics): written with icalendar, read back as typed (an organizer's
CR LF line breaks, long lines folded), one UID per event with a SEQUENCE that rises as the
event changes; a cancellation emails the cancelling update; the public page offers the file."""

import re

import icalendar
import pytest
from django.core import mail

from events.models import Event
from events.services import invitations_send, rsvp_submit
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db

LONG_LINE = "Valet parking at the north entrance; " + "x" * 200
DESCRIPTION = f"Black tie.\r\nDoors open at 6, dinner at 7, speeches at 8.\r\n{LONG_LINE}"


@pytest.fixture
def dinner(organization, organizer):
    return factories.make_event(
        name="Fremont Dinner, 2026", slug="fremont", organizers=[organizer], capacity=10
    )


def _save_in_admin(client, event, **changes):
    response = client.post(
        f"/admin/events/event/{event.pk}/change/", event_change_data(event, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    return event


def _vevent(ics: bytes | str) -> tuple[icalendar.Calendar, icalendar.Event]:
    raw = ics.encode() if isinstance(ics, str) else ics
    assert not re.search(rb"\r(?!\n)", raw), "a bare carriage return"
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "a line longer than 75 octets"
    calendar = icalendar.Calendar.from_ical(raw)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def _attachment(message) -> tuple[str, icalendar.Calendar, icalendar.Event]:
    # A confirmed guest's email also carries their door code's QR image (a MIME part).
    [(filename, content, mimetype)] = [a for a in message.attachments if isinstance(a, tuple)]
    assert filename == "fremont.ics"
    return (mimetype, *_vevent(content))


def test_admin_text_with_line_breaks_and_long_lines_reads_back_as_typed(client, organizer, dinner):
    client.force_login(organizer)
    _save_in_admin(client, dinner, description=DESCRIPTION)

    response = client.get("/events/fremont/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; method=PUBLISH; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fremont.ics"'
    calendar, entry = _vevent(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(entry["DESCRIPTION"]) == DESCRIPTION.replace("\r\n", "\n")
    assert str(entry["SUMMARY"]) == "Fremont Dinner, 2026"
    assert entry.decoded("DTSTART") == dinner.starts_at
    assert entry.decoded("DTEND") == dinner.ends_at
    assert str(entry["URL"]) == "http://127.0.0.1:8000/events/fremont/"


def test_one_uid_per_event_and_the_sequence_rises_with_each_change(client, organizer, dinner):
    guest = factories.make_donor(email="hina@example.org")
    invitations_send(event=dinner, donors=[guest])
    _, _, invited = _attachment(mail.outbox[-1])
    client.force_login(organizer)

    _save_in_admin(client, dinner, capacity=12)  # nothing a calendar shows
    unchanged = _vevent(client.get("/events/fremont/calendar.ics").content)[1]
    _save_in_admin(client, dinner, venue="The Old Mill")
    moved = _vevent(client.get("/events/fremont/calendar.ics").content)[1]
    rsvp_submit(event=dinner, donor=guest, answer="yes")
    _, _, confirmed = _attachment(mail.outbox[-1])

    assert str(invited["UID"]) == f"event-{dinner.pk}@msp-backoffice"
    assert {str(e["UID"]) for e in (unchanged, moved, confirmed)} == {str(invited["UID"])}
    assert invited["SEQUENCE"] == 0 and unchanged["SEQUENCE"] == 0
    assert moved["SEQUENCE"] == 1 and confirmed["SEQUENCE"] == 1
    assert str(moved["LOCATION"]).startswith("The Old Mill")


def test_cancelling_emails_a_cancelling_calendar_update(client, organizer, dinner):
    guest = factories.make_donor(email="hina@example.org")
    invitations_send(event=dinner, donors=[guest])
    _, _, invited = _attachment(mail.outbox[-1])
    rsvp_submit(event=dinner, donor=guest, answer="yes")
    mail.outbox.clear()
    client.force_login(organizer)

    _save_in_admin(client, dinner, status="cancelled", confirm_cancellation="on")

    [notice] = [m for m in mail.outbox if m.subject.startswith("Cancelled:")]
    mimetype, calendar, entry = _attachment(notice)
    assert notice.to == ["hina@example.org"]
    assert mimetype == "text/calendar; method=CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(entry["STATUS"]) == "CANCELLED"
    assert str(entry["UID"]) == str(invited["UID"])
    assert entry["SEQUENCE"] > invited["SEQUENCE"]
    assert str(entry["ATTENDEE"]) == "mailto:hina@example.org"
    assert str(entry["ORGANIZER"]).startswith("mailto:")
    # The public page's file says the same, for a calendar that subscribed to it.
    _, public = _vevent(client.get("/events/fremont/calendar.ics").content)
    assert str(public["STATUS"]) == "CANCELLED" and public["SEQUENCE"] == entry["SEQUENCE"]


def test_the_public_page_offers_the_calendar_file(client, dinner):
    page = client.get("/events/fremont/").content.decode()

    assert '<a href="/events/fremont/calendar.ics" id="add-to-calendar" download>' in page
    assert "Add to your calendar" in page


def test_a_draft_event_has_no_calendar_file(client, dinner):
    Event.objects.filter(pk=dinner.pk).update(status="draft")

    assert client.get("/events/fremont/calendar.ics").status_code == 404
    assert client.get("/events/nowhere/calendar.ics").status_code == 404


def test_stored_text_with_a_lone_carriage_return_or_a_control_character_still_reads(client, dinner):
    # Text stored before the checks (or by an import): a lone CR, a vertical tab.
    Event.objects.filter(pk=dinner.pk).update(
        name="Fremont\r\nDinner", description="Doors at 6\rDinner at 7\x0bsharp"
    )

    _, entry = _vevent(client.get("/events/fremont/calendar.ics").content)

    assert str(entry["SUMMARY"]) == "Fremont Dinner"
    assert str(entry["DESCRIPTION"]) == "Doors at 6\nDinner at 7 sharp"
