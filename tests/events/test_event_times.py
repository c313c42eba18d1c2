"""An event's time is the venue's: a 7 PM dinner in Fremont reads 7:00 PM on its page, its
summary and its emails, whatever the site's own time zone (New York)."""

import datetime
import zoneinfo

from django.core import mail

from events import services as event_services
from tests.factories import make_donor, make_event

PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")


def _fremont_dinner():
    start = (datetime.datetime.now(PACIFIC) + datetime.timedelta(days=20)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    return make_event(
        name="Fremont Dinner",
        city="Fremont",
        state="CA",
        time_zone="America/Los_Angeles",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )


def test_public_page_and_summary_show_the_venue_time(client, board, organization):
    event = _fremont_dinner()

    page = client.get(f"/events/{event.slug}/").content.decode()
    client.force_login(board)
    summary = client.get(f"/events/{event.slug}/summary/")

    assert "7:00 PM</strong> to 10:00 PM" in page  # not 10 PM to 1 AM, New York's clock
    assert summary.status_code == 200


def test_confirmation_email_shows_the_venue_time(organization):
    event = _fremont_dinner()
    guest = make_donor(email="guest@example.org")

    event_services.rsvp_submit(event=event, donor=guest, answer="yes", party_size=1)

    body = "\n".join(message.body for message in mail.outbox)
    assert "7:00 PM to 10:00 PM" in body
