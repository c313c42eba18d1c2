""" "My events": the events a user runs (all of them for Staff), upcoming first, each with its
counts from selectors.event_counts and its pages; linked from the admin and the summary."""

import datetime

import pytest
from django.utils import timezone

from events.services import rsvp_check_in, rsvp_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(organization, organizer):
    now = timezone.now()
    later = factories.make_event(name="Autumn Dinner", slug="autumn", organizers=[organizer],
                                 starts_at=now + datetime.timedelta(days=60))  # fmt: skip
    sooner = factories.make_event(name="Spring Lunch", slug="spring", organizers=[organizer],
                                  starts_at=now + datetime.timedelta(days=5), capacity=30)  # fmt: skip
    past = factories.make_event(name="Last Gala", slug="last", organizers=[organizer],
                                starts_at=now - datetime.timedelta(days=90))  # fmt: skip
    other = factories.make_event(name="Someone Else's Picnic", slug="picnic")
    rsvp = rsvp_submit(event=sooner, donor=factories.make_donor(), answer="yes", party_size=4)
    rsvp_check_in(rsvp=rsvp, count=3)
    return later, sooner, past, other


def test_an_organizer_sees_their_events_upcoming_first_with_counts_and_links(
    client, organizer, events
):
    client.force_login(organizer)

    page = client.get("/my-events/").content.decode()

    assert "Someone Else" not in page
    order = [page.index(name) for name in ("Spring Lunch", "Autumn Dinner", "Past events",
                                           "Last Gala")]  # fmt: skip
    assert order == sorted(order)
    card = page[page.index('id="event-spring"') : page.index('id="event-autumn"')]
    assert '<dd class="expected">4</dd>' in card and '<dd class="arrived">3</dd>' in card
    assert '<dd class="seats-left">26</dd>' in card
    for url in ("/events/spring/check-in/", "/events/spring/summary/", "/events/spring/invite/",
                "/events/spring/attendees.csv", "/events/spring/attendees.xlsx",
                "/events/spring/door-list.pdf", "/events/spring/",
                f"/admin/events/event/{events[1].pk}/change/"):  # fmt: skip
        assert f'href="{url}"' in card, url


def test_staff_see_every_event_and_a_board_member_only_the_pages_they_may_open(
    client, staff, board, events
):
    client.force_login(staff)
    as_staff = client.get("/my-events/").content.decode()
    client.force_login(board)
    as_board = client.get("/my-events/").content.decode()

    assert "Someone Else&#x27;s Picnic" in as_staff and "Spring Lunch" in as_staff
    assert "/events/spring/check-in/" in as_staff
    assert "Spring Lunch" in as_board and "/events/spring/check-in/" not in as_board


def test_my_events_is_linked_from_the_admin_and_the_summary(client, organizer, events):
    client.force_login(organizer)
    event = events[1]

    change = client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    index = client.get("/admin/").content.decode()
    summary = client.get("/events/spring/summary/").content.decode()

    assert change.count('href="/my-events/"') == 2  # the header and the Pages row
    assert 'href="/my-events/"' in index and 'href="/my-events/"' in summary
