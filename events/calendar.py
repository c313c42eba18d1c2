"""The event's calendar file (iCalendar, RFC 5545), written by the icalendar library: it folds
long lines and escapes text, so what an organizer typed (line breaks from a browser's CR LF,
commas, semicolons) reads back as typed.

One UID per event, whatever the file: an invitation, a confirmation, the public page's file and
a cancellation all describe the same calendar entry, and the event's ``calendar_sequence``
(raised by events.services.event_save on each change a calendar shows) tells a calendar which
file is newer. A cancellation is METHOD:CANCEL with STATUS:CANCELLED and a sequence above any
file sent before it."""

from __future__ import annotations

import datetime
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone

from donors.models import Organization
from donors.text import one_line, printable
from events.models import Event, EventStatus

PRODID = "-//MSP back office//events//EN"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@msp-backoffice"


def _text(value: str) -> str:
    # The library escapes and folds; a control character (other than a line break) would
    # still make the file unreadable to some calendars, so it becomes a space, as elsewhere.
    return printable((value or "").replace("\r\n", "\n").replace("\r", "\n"))


def _organizer() -> icalendar.vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    org = Organization.current()
    name = org.legal_name if org else name
    if name:
        organizer.params["CN"] = one_line(name)
    return organizer


def event_calendar(event: Event, *, attendee: str = "") -> bytes:
    """The event as a calendar file. A cancelled event gives the cancelling update
    (METHOD:CANCEL); ``attendee``, the address the file is sent to, is named in it (a calendar
    matches a cancellation to the entry it holds by UID, organizer and attendee)."""
    cancelled = event.status == EventStatus.CANCELLED
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("sequence", event.calendar_sequence)
    entry.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
    entry.add("summary", one_line(event.name))
    location = ", ".join(p for p in (event.venue, event.address, event.city, event.state) if p)
    entry.add("location", one_line(location))
    if event.description:
        entry.add("description", _text(event.description))
    entry.add("url", f"{settings.SITE_URL}{event.get_absolute_url()}")
    entry.add("organizer", _organizer())
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if attendee:
        entry.add("attendee", icalendar.vCalAddress(f"mailto:{attendee}"))
    calendar.add_component(entry)
    return calendar.to_ical()


def calendar_content_type(event: Event) -> str:
    """The file's MIME type, naming its method as RFC 6047 asks of a calendar sent by email."""
    method = "CANCEL" if event.status == EventStatus.CANCELLED else "PUBLISH"
    return f"text/calendar; method={method}"


def calendar_attach(message, event: Event, *, attendee: str = "") -> None:
    """Attach the event's calendar file to an email (``attendee``: see ``event_calendar``)."""
    content = event_calendar(event, attendee=attendee).decode()
    message.attach(f"{event.slug}.ics", content, calendar_content_type(event))
