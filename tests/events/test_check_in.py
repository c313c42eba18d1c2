"""The door: search, one-tap check-in with a count, walk-ins, undo, live counts; and two
organizers tapping the same party at once never count it twice."""

import pytest

from events.models import RSVP
from events.services import rsvp_check_in, rsvp_submit
from tests import factories
from tests.concurrency import run_at_once


@pytest.fixture
def door(db, organization, organizer, client):
    event = factories.make_event(slug="door", capacity=20, organizers=[organizer])
    khan = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    raza = factories.make_donor(first_name="Bilal", last_name="Raza", email="bilal@example.org")
    rsvp_submit(event=event, donor=khan, answer="yes", party_size=3, dietary_needs="halal")
    rsvp_submit(event=event, donor=raza, answer="yes", party_size=2)
    client.force_login(organizer)
    return event, client


def test_search_by_name_or_email_finds_the_party(door):
    event, client = door

    by_name = client.get("/events/door/check-in/search/?q=khan").json()
    by_email = client.get("/events/door/check-in/search/?q=bilal@").json()

    assert [r["name"] for r in by_name["results"]] == ["Ayesha Khan"]
    assert by_name["results"][0]["dietary"] == "halal"
    assert [r["name"] for r in by_email["results"]] == ["Bilal Raza"]
    assert by_name["counts"] == {
        "expected": 5,
        "arrived": 0,
        "walk_ins": 0,
        "in_room": 0,
        "not_arrived": 5,
        "parties_arrived": 0,
        "seats_left": 15,
    }


def test_one_tap_checks_a_party_in_with_how_many_came_and_undo_takes_it_back(door):
    event, client = door
    rsvp = RSVP.objects.get(donor__last_name="Khan")

    tapped = client.post(f"/events/door/check-in/{rsvp.pk}/", {"count": "2"})
    again = client.post(f"/events/door/check-in/{rsvp.pk}/", {"count": "3"})

    assert tapped.status_code == 200
    assert tapped.json()["counts"]["arrived"] == 2
    assert again.status_code == 409
    assert again.json()["message"].startswith("Already checked in at ")
    assert again.json()["message"].endswith(": Ayesha Khan, party of 3 (2 of 3 arrived).")
    assert again.json()["counts"]["arrived"] == 2

    undone = client.post(f"/events/door/check-in/{rsvp.pk}/", {"undo": "1"})

    assert undone.json()["counts"]["arrived"] == 0
    rsvp.refresh_from_db()
    assert (rsvp.checked_in_count, rsvp.checked_in_at) == (0, None)


def test_a_bad_count_is_explained_not_a_500(door):
    event, client = door
    rsvp = RSVP.objects.get(donor__last_name="Khan")

    response = client.post(f"/events/door/check-in/{rsvp.pk}/", {"count": "lots"})

    assert response.status_code == 400
    assert response.json()["error"] == "Give how many people came (1 to 50)."


def test_a_walk_in_is_added_and_checked_in_on_the_spot(door):
    event, client = door

    response = client.post(
        "/events/door/check-in/walk-in/",
        {"first_name": "Zara", "last_name": "Malik", "email": "zara@example.org", "count": "2"},
    )
    refused = client.post("/events/door/check-in/walk-in/", {"count": "1"})

    assert response.status_code == 201
    # Arrived counts the booked parties; the walk-ins are apart, and both are in the room.
    assert response.json()["counts"] == {
        "expected": 5,
        "arrived": 0,
        "walk_ins": 2,
        "in_room": 2,
        "not_arrived": 5,
        "parties_arrived": 0,
        "seats_left": 13,
    }
    walk_in = RSVP.objects.get(donor__emails__email="zara@example.org")
    assert (walk_in.walk_in, walk_in.checked_in_count, walk_in.answer) == (True, 2, "yes")
    assert refused.status_code == 400
    assert refused.json()["error"] == "Give the guest's name."


def test_the_check_in_page_is_phone_sized_and_shows_the_counts(door):
    event, client = door

    page = client.get("/events/door/check-in/").content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'id="count-expected">5<' in page


@pytest.mark.django_db(transaction=True)
def test_two_organizers_checking_in_the_same_party_at_once_count_it_once(postgres_only):
    factories.make_organization()
    event = factories.make_event(slug="race")
    rsvp = rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=4)
    rounds, results = 10, []
    for _ in range(rounds):
        outcome, errors = run_at_once(
            lambda count: (count, rsvp_check_in(rsvp=rsvp, count=count)), [3, 4]
        )
        assert errors == []
        results.append(outcome)
        rsvp.refresh_from_db()
        winners = [count for count, won in outcome if won]
        assert len(winners) == 1, outcome
        assert rsvp.checked_in_count == winners[0]
        RSVP.objects.filter(pk=rsvp.pk).update(checked_in_count=0, checked_in_at=None)
    assert len(results) == rounds
