"""Two guests answering 'yes' at the same moment for the last seats: one gets them, the other
waits (the event row is locked while seats are counted)."""

import pytest

from events.models import RSVP
from events.services import rsvp_submit
from tests import factories
from tests.concurrency import run_at_once


@pytest.mark.django_db(transaction=True)
def test_simultaneous_yes_answers_never_overfill_the_event(postgres_only):
    factories.make_organization()
    event = factories.make_event(slug="race-seats", capacity=4, party_size_limit=4)
    guests = [factories.make_donor() for _ in range(2)]
    _, errors = run_at_once(
        lambda donor: rsvp_submit(event=event, donor=donor, answer="yes", party_size=3), guests
    )
    assert errors == []
    rsvps = list(RSVP.objects.filter(event=event))
    assert sorted(r.waitlist_position is None for r in rsvps) == [False, True]
    assert sum(r.party_size for r in rsvps if r.confirmed) == 3


@pytest.mark.django_db(transaction=True)
def test_two_buyers_of_the_last_tickets_at_once_never_both_get_them(postgres_only):
    """Both press "Continue to payment" for the last 2 tickets: one is handed to Checkout with
    the tickets held, the other is told they are sold out (the ticket type's row is locked while
    tickets are counted)."""
    from django.core.exceptions import ValidationError

    from events.models import TicketHold
    from events.services import ticket_hold_create

    factories.make_organization()
    event = factories.make_event(slug="race-tickets", capacity=50)
    seat = factories.make_ticket_type(event, quantity=2)
    _, errors = run_at_once(
        lambda email: ticket_hold_create(ticket_type=seat, quantity=2, email=email),
        ["a@example.org", "b@example.org"],
    )
    assert [type(e) for e in errors] == [ValidationError]
    assert errors[0].messages == ["Dinner seat tickets are sold out."]
    assert TicketHold.objects.filter(ticket_type=seat).count() == 1
