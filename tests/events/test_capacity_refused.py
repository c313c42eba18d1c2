"""Capacity never goes below the seats already confirmed: the admin refuses it with the
figures, and the event keeps its capacity."""

import pytest

from events.models import Event
from events.services import rsvp_submit, walk_in_add
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(organization, organizer):
    event = factories.make_event(name="Dinner", slug="cap", capacity=20, organizers=[organizer])
    for party in (4, 3):
        rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=party)
    rsvp_submit(event=event, donor=factories.make_donor(), answer="maybe", party_size=4)
    return event


def _save(client, event, **changes):
    return client.post(
        f"/admin/events/event/{event.pk}/change/", event_change_data(event, **changes)
    )


def test_a_capacity_below_the_confirmed_seats_is_refused_with_the_figures(
    client, organizer, dinner
):
    client.force_login(organizer)

    response = _save(client, dinner, capacity="6")

    assert response.status_code == 200
    page = response.content.decode()
    assert "7 seats are already confirmed; capacity can&#x27;t go below 7." in page
    assert Event.objects.get(pk=dinner.pk).capacity == 20


def test_a_capacity_that_still_seats_everyone_confirmed_is_saved(client, organizer, dinner):
    client.force_login(organizer)

    response = _save(client, dinner, capacity="7")

    assert response.status_code == 302
    assert Event.objects.get(pk=dinner.pk).capacity == 7


def test_walk_ins_past_capacity_do_not_stop_other_changes(client, organizer, dinner):
    """The room, not the capacity, decides walk-ins: an event they filled past its capacity
    can still be edited, and its capacity raised."""
    dinner.refresh_from_db()
    Event.objects.filter(pk=dinner.pk).update(capacity=8)
    walk_in_add(event=dinner, first_name="Late", last_name="Comer", count=3)  # 10 of 8
    dinner.refresh_from_db()
    client.force_login(organizer)

    kept = _save(client, dinner, venue="Grand Hall East")
    lowered = _save(client, Event.objects.get(pk=dinner.pk), capacity="7")
    raised = _save(client, Event.objects.get(pk=dinner.pk), capacity="9")

    assert kept.status_code == 302
    assert "10 seats are already confirmed; capacity can&#x27;t go below 10." in (
        lowered.content.decode()
    )
    assert raised.status_code == 302
    assert Event.objects.get(pk=dinner.pk).capacity == 9
