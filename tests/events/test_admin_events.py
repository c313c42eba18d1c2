"""Organizers create and edit events in the admin; the money stays with those who see giving."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from events.models import Event, TicketType
from tests import factories

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def _event_form(**overrides):
    data = {
        "name": "Los Angeles Dinner",
        "slug": "la-dinner-2025",
        "status": "open",
        "description": "An evening for peace.",
        "time_zone": "America/Los_Angeles",
        "starts_at_0": "2025-11-15",
        "starts_at_1": "18:30:00",
        "ends_at_0": "2025-11-15",
        "ends_at_1": "22:00:00",
        "venue": "Hotel Ballroom",
        "address": "",
        "city": "Los Angeles",
        "state": "CA",
        "capacity": "200",
        "party_size_limit": "4",
        "rsvp_deadline_0": "2025-11-08",
        "rsvp_deadline_1": "23:59:00",
        "ticket_types-TOTAL_FORMS": "1",
        "ticket_types-INITIAL_FORMS": "0",
        "ticket_types-MIN_NUM_FORMS": "0",
        "ticket_types-MAX_NUM_FORMS": "1000",
        "ticket_types-0-name": "Dinner seat",
        "ticket_types-0-price": "150.00",
        "ticket_types-0-fair_market_value": "65.00",
        "ticket_types-0-seats": "1",
        "tables-TOTAL_FORMS": "0",
        "tables-INITIAL_FORMS": "0",
        "tables-MIN_NUM_FORMS": "0",
        "tables-MAX_NUM_FORMS": "1000",
        "menu_choices-TOTAL_FORMS": "0",
        "menu_choices-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_organizer_creates_an_event_with_times_in_the_venues_time_zone(client, organizer):
    client.force_login(organizer)

    response = client.post("/admin/events/event/add/", _event_form())

    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    # The organizer who created it runs it (and so sees it).
    assert list(event.organizers.all()) == [organizer]
    assert event.starts_at == datetime.datetime(2025, 11, 15, 18, 30, tzinfo=LA)
    assert event.rsvp_deadline == datetime.datetime(2025, 11, 8, 23, 59, tzinfo=LA)
    assert TicketType.objects.get().deductible_amount == Decimal("85.00")
    # Shown back in the venue's time, not the server's (New York).
    page = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert 'value="18:30:00"' in page


def test_organizers_never_see_the_events_money_staff_do(client, organizer, staff):
    event = factories.make_event(
        revenue_goal=Decimal("50000"), costs=Decimal("12000"), organizers=[organizer]
    )

    client.force_login(organizer)
    as_organizer = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    client.force_login(staff)
    as_staff = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()

    assert 'name="revenue_goal"' not in as_organizer and 'name="costs"' not in as_organizer
    assert 'name="revenue_goal"' in as_staff and 'name="costs"' in as_staff


def test_a_ticket_worth_more_than_its_price_is_refused(client, organizer):
    client.force_login(organizer)

    response = client.post(
        "/admin/events/event/add/", _event_form(**{"ticket_types-0-fair_market_value": "200"})
    )

    assert response.status_code == 200
    assert "The value received cannot be more than the price." in response.content.decode()
    assert not Event.objects.exists()


def test_an_event_that_ends_before_it_starts_is_refused(client, organizer):
    client.force_login(organizer)

    response = client.post("/admin/events/event/add/", _event_form(ends_at_1="17:00:00"))

    assert "The event must end after it starts." in response.content.decode()
    assert not Event.objects.exists()
