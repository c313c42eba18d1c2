"""QR check-in at the door: every RSVP has a door code of its own; a confirmed guest's email
carries it as a QR code (read back here, as a phone camera would) and as text; the door scans it
and checks the whole party in, naming them; a second scan says when they came; a tap the door
sends again after a dropped connection counts once."""

import datetime
import email
import io

import pytest
import zxingcpp
from auditlog.models import LogEntry
from django.core import mail
from django.utils import dateformat, timezone
from PIL import Image

from events.models import RSVP
from events.services import event_reminders_send, rsvp_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def door(organization, organizer, client):
    event = factories.make_event(name="Indy Dinner", slug="door", organizers=[organizer])
    khan = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    rsvp_submit(event=event, donor=khan, answer="yes", party_size=3)
    client.force_login(organizer)
    return event, client, RSVP.objects.get(donor=khan)


def door_qr(message) -> tuple[str, str]:
    """The QR code image of a sent email, read as a camera would, and the HTML that shows it."""
    parsed = email.message_from_bytes(message.message().as_bytes())
    html = next(p for p in parsed.walk() if p.get_content_type() == "text/html")
    image = next(p for p in parsed.walk() if p.get_content_type() == "image/png")
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html.get_payload(decode=True).decode()
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_payload(decode=True))))
    return code.text, html.get_payload(decode=True).decode()


def scan(client, token, attempt=""):
    return client.post("/events/door/check-in/scan/", {"token": token, "attempt": attempt})


def test_every_rsvp_has_a_door_code_of_its_own(door):
    event, client, rsvp = door
    other = rsvp_submit(event=event, donor=factories.make_donor(), answer="no")

    assert len(rsvp.checkin_token) == 16
    assert rsvp.checkin_token != other.checkin_token


def test_the_confirmation_email_carries_the_door_code_as_a_qr_code_and_as_text(door):
    event, client, rsvp = door
    [message] = [m for m in mail.outbox if m.to == ["ayesha@example.org"]]

    text, html = door_qr(message)

    assert text == rsvp.checkin_token
    assert f"Your door code: {rsvp.checkin_token}." in message.body
    assert rsvp.checkin_token in html
    assert "You are confirmed for a party of 3." in html
    assert [a[0] for a in message.attachments if isinstance(a, tuple)] == ["door.ics"]


def test_the_reminder_carries_the_door_code_again(door):
    event, client, rsvp = door
    mail.outbox.clear()

    assert event_reminders_send(now=event.starts_at - datetime.timedelta(hours=20)) == 1

    [message] = mail.outbox
    text, html = door_qr(message)
    assert text == rsvp.checkin_token
    assert message.subject == "Reminder: Indy Dinner is tomorrow"
    assert f"Your door code: {rsvp.checkin_token}." in message.body
    assert "We have you down for a party of 3." in html


def test_a_guest_who_cannot_come_gets_no_door_code(door):
    event, client, rsvp = door
    mail.outbox.clear()
    rsvp_submit(event=event, donor=rsvp.donor, answer="no")

    [message] = mail.outbox
    assert "door code" not in message.body
    assert not message.message().is_multipart() or not any(
        p.get_content_type() == "image/png" for p in message.message().walk()
    )


def test_the_code_from_the_email_checks_the_whole_party_in_and_names_them(door):
    event, client, rsvp = door
    [message] = [m for m in mail.outbox if m.to == ["ayesha@example.org"]]
    token, _ = door_qr(message)

    response = scan(client, token, attempt="a" * 32)

    assert response.status_code == 200
    assert response.json()["message"] == "Checked in Ayesha Khan, party of 3 (3 of 3 arrived)."
    assert response.json()["counts"]["arrived"] == 3
    rsvp.refresh_from_db()
    assert rsvp.checked_in_count == 3


def test_a_code_scanned_twice_says_when_they_came_and_counts_once(door):
    event, client, rsvp = door
    scan(client, rsvp.checkin_token, attempt="a" * 32)
    rsvp.refresh_from_db()
    at = dateformat.format(timezone.localtime(rsvp.checked_in_at, event.tz), "g:i A")

    again = scan(client, rsvp.checkin_token, attempt="b" * 32)

    assert again.status_code == 409
    assert again.json()["message"] == (
        f"Already checked in at {at}: Ayesha Khan, party of 3 (3 of 3 arrived)."
    )
    assert again.json()["counts"]["arrived"] == 3


def test_a_tap_sent_again_after_a_dropped_connection_counts_once_and_reads_as_done(door):
    event, client, rsvp = door
    url = f"/events/door/check-in/{rsvp.pk}/"

    first = client.post(url, {"count": "2", "attempt": "f" * 32})
    repeat = client.post(url, {"count": "2", "attempt": "f" * 32})

    assert first.status_code == repeat.status_code == 200
    assert repeat.json()["message"] == "Checked in Ayesha Khan, party of 3 (2 of 3 arrived)."
    assert repeat.json()["counts"]["arrived"] == 2
    updates = LogEntry.objects.get_for_object(rsvp).filter(action=LogEntry.Action.UPDATE)
    assert [e.changes_dict["checked_in_count"] for e in updates] == [["0", "2"]]


def test_a_walk_in_sent_again_is_added_once(door):
    event, client, rsvp = door
    fields = {"first_name": "Zara", "last_name": "Malik", "count": "2", "attempt": "c" * 32}

    first = client.post("/events/door/check-in/walk-in/", fields)
    repeat = client.post("/events/door/check-in/walk-in/", fields)

    assert first.status_code == repeat.status_code == 201
    assert repeat.json()["message"] == "Checked in Zara Malik as a walk-in, party of 2."
    assert repeat.json()["counts"]["walk_ins"] == 2
    assert RSVP.objects.filter(event=event, walk_in=True).count() == 1


def test_a_code_of_another_event_or_no_code_is_explained(door, organizer):
    event, client, rsvp = door
    other = factories.make_event(slug="other", organizers=[organizer])
    stranger = rsvp_submit(event=other, donor=factories.make_donor(), answer="yes")

    for token in (stranger.checkin_token, "https://example.org/", ""):
        response = scan(client, token)
        assert response.status_code == 404
        assert response.json()["error"] == (
            "This code is not a guest's code for Indy Dinner. Search by name."
        )
    stranger.refresh_from_db()
    assert stranger.checked_in_count == 0


def test_a_guest_who_said_no_is_not_checked_in_by_their_old_code(door):
    event, client, rsvp = door
    rsvp_submit(event=event, donor=rsvp.donor, answer="no")

    response = scan(client, rsvp.checkin_token)

    assert response.status_code == 409
    assert response.json()["error"] == (
        "Ayesha Khan answered no, so has no seat. Add them as a walk-in if there is room."
    )


def test_the_door_code_typed_in_finds_the_party(door):
    event, client, rsvp = door

    found = client.get("/events/door/check-in/search/", {"q": rsvp.checkin_token}).json()

    assert [r["name"] for r in found["results"]] == ["Ayesha Khan"]


def test_only_the_door_page_may_open_the_camera_and_the_code_stays_out_of_the_log(door):
    event, client, rsvp = door

    door_page = client.get("/events/door/check-in/")
    summary = client.get("/events/door/summary/")

    assert "camera=(self)" in door_page.headers["Permissions-Policy"]
    assert "microphone=()" in door_page.headers["Permissions-Policy"]
    assert "camera=()" in summary.headers["Permissions-Policy"]
    scan(client, rsvp.checkin_token)
    logged = " ".join(str(e.changes) for e in LogEntry.objects.get_for_object(rsvp))
    assert rsvp.checkin_token not in logged
