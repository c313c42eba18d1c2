"""The events' criteria for donor segments (donors.segments): donors who came to an event
(checked in at the door) or who answered yes to one. Registered in EventsConfig.ready, since
donors may not import events."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from donors.segments import CHOICES, Criterion, criterion_register, ids_of
from events.models import RSVP, Answer, Event

EVENTS = "Events"


# The same check as donors' own choices: record numbers that exist.
_event_ids = ids_of(Event.objects.all, "event")


def _attended_q(ids: list[int]) -> Q:
    """Checked in at the door of one of these events (walk-ins included)."""
    came = RSVP.objects.filter(donor=OuterRef("pk"), event_id__in=ids, checked_in_count__gt=0)
    return Q(Exists(came))


def _rsvp_yes_q(ids: list[int]) -> Q:
    """Answered yes to one of these events (a seat confirmed or waiting for one)."""
    yes = RSVP.objects.filter(donor=OuterRef("pk"), event_id__in=ids, answer=Answer.YES)
    return Q(Exists(yes))


def _event_choices():
    return [
        (pk, f"{name} ({starts:%b %-d, %Y})")
        for pk, name, starts in Event.objects.order_by("-starts_at").values_list(
            "pk", "name", "starts_at"
        )
    ]


def register() -> None:
    criterion_register(
        Criterion(
            "events_attended",
            "Came to event",
            _attended_q,
            _event_ids,
            kind=CHOICES,
            group=EVENTS,
            help_text="Checked in at the door of any of these.",
            choices=_event_choices,
        )
    )
    criterion_register(
        Criterion(
            "events_rsvp_yes",
            "Answered yes to event",
            _rsvp_yes_q,
            _event_ids,
            kind=CHOICES,
            group=EVENTS,
            help_text="RSVPed yes to any of these.",
            choices=_event_choices,
        )
    )
