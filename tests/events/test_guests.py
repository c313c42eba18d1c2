"""Guests as people: each person of a party with a meal from the event's menu and their own
dietary needs, kept through the services (audited), the invitation page and the admin; the
summary counts the meals and the exports list them."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client

from events.audit import event_history
from events.models import RSVP, Guest, MenuChoice, Table
from events.services import (
    GuestDetails,
    guests_set,
    invitations_create,
    menu_choice_save,
    rsvp_submit,
)
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(organization, organizer):
    event = factories.make_event(name="Fremont Dinner", slug="fremont", organizers=[organizer])
    for position, name in enumerate(["Chicken", "Fish", "Vegetarian"]):
        menu_choice_save(menu_choice=MenuChoice(event=event, name=name, position=position))
    return event


def _meal(event, name):
    return MenuChoice.objects.get(event=event, name=name)


def _people(rsvp):
    rsvp = RSVP.objects.get(pk=rsvp.pk)
    return [(p.name, p.meal, p.dietary_needs) for p in rsvp.people()]


def test_each_person_of_a_party_has_a_meal_and_their_own_needs(dinner):
    khan = factories.make_donor(first_name="Ayesha", last_name="Khan")
    rsvp = rsvp_submit(
        event=dinner,
        donor=khan,
        answer="yes",
        party_size=3,
        guests=[
            GuestDetails(meal=_meal(dinner, "Fish")),
            GuestDetails("Omar Khan", _meal(dinner, "Chicken"), "no nuts"),
        ],
    )

    assert _people(rsvp) == [
        ("Ayesha Khan", "Fish", ""),
        ("Omar Khan", "Chicken", "no nuts"),
        ("Guest of Ayesha Khan", "", ""),  # a seat nobody named yet
    ]
    assert rsvp.guest_names == "Omar Khan"
    assert "Omar Khan: no nuts" in RSVP.objects.get(pk=rsvp.pk).dietary_summary()


def test_naming_more_guests_than_the_party_is_refused_with_the_figures(dinner):
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=2)

    with pytest.raises(ValidationError) as refused:
        guests_set(
            rsvp=rsvp,
            guests=[GuestDetails(), GuestDetails("Omar"), GuestDetails("Sara")],
        )

    assert refused.value.message_dict["party_size"] == [
        "You named 2 guests for a party of 2: choose a party of 3 or leave a guest out."
    ]
    assert not Guest.objects.exists()


def test_a_meal_from_another_events_menu_is_refused(dinner):
    other = factories.make_event()
    steak = menu_choice_save(menu_choice=MenuChoice(event=other, name="Steak"))
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes")

    with pytest.raises(ValidationError) as refused:
        guests_set(rsvp=rsvp, guests=[GuestDetails(meal=steak)])

    assert refused.value.message_dict["meal"] == ["That meal is on another event's menu."]


def test_a_smaller_party_or_a_no_drops_the_guests_beyond_it(dinner):
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    people = [GuestDetails(meal=_meal(dinner, "Fish")), GuestDetails("Omar"), GuestDetails("Sara")]
    rsvp_submit(event=dinner, donor=donor, answer="yes", party_size=3, guests=people)

    rsvp = rsvp_submit(event=dinner, donor=donor, answer="yes", party_size=2)
    assert [n for n, _, _ in _people(rsvp)] == ["Ayesha Khan", "Omar"]

    rsvp = rsvp_submit(event=dinner, donor=donor, answer="no", guests=people)
    assert list(rsvp.guests.values_list("position", "name")) == [(1, "")]
    assert _people(rsvp) == [("Ayesha Khan", "Fish", "")]


def test_a_party_on_the_waitlist_keeps_its_guests_and_their_meals(dinner):
    dinner.capacity = 1
    dinner.save(update_fields=["capacity"])
    rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes")
    fish = _meal(dinner, "Fish")

    rsvp = rsvp_submit(
        event=dinner,
        donor=factories.make_donor(first_name="Ayesha", last_name="Khan"),
        answer="yes",
        party_size=2,
        guests=[GuestDetails(), GuestDetails("Omar Khan", fish)],
    )

    assert rsvp.waitlist_position == 1
    assert _people(rsvp) == [("Ayesha Khan", "", ""), ("Omar Khan", "Fish", "")]


def test_guests_and_menu_changes_are_in_the_events_audit_log(dinner):
    rsvp = rsvp_submit(
        event=dinner,
        donor=factories.make_donor(),
        answer="yes",
        party_size=2,
        guests=[GuestDetails(), GuestDetails("Omar Khan", _meal(dinner, "Fish"))],
    )
    guest = rsvp.guests.get(position=2)

    entries = event_history(dinner)

    added = entries.get(
        content_type__model="guest", object_pk=str(guest.pk), action=LogEntry.Action.CREATE
    )
    assert added.changes_dict["name"] == ["None", "Omar Khan"]
    assert added.additional_data == {"event_id": dinner.pk, "donor_id": rsvp.donor_id}
    assert entries.filter(content_type__model="menuchoice").count() == 3


def test_the_invitation_page_takes_a_name_meal_and_needs_for_each_guest(dinner):
    guest = factories.make_donor(first_name="Ayesha", last_name="Khan", email="a@example.org")
    [invitation] = invitations_create(event=dinner, donors=[guest])
    client = Client()
    page = client.get(f"/rsvp/{invitation.token}/").content.decode()
    assert "Guest 2&#x27;s meal" in page and "Chicken" in page

    response = client.post(
        f"/rsvp/{invitation.token}/",
        {
            "answer": "yes",
            "party_size": "2",
            "guest_1_meal": _meal(dinner, "Vegetarian").pk,
            "guest_1_dietary": "vegan",
            "guest_2_name": "Omar Khan",
            "guest_2_meal": _meal(dinner, "Fish").pk,
        },
    )

    assert response.status_code == 200
    assert "party of 2" in response.content.decode()
    rsvp = RSVP.objects.get(donor=guest)
    assert _people(rsvp) == [("Ayesha Khan", "Vegetarian", "vegan"), ("Omar Khan", "Fish", "")]
    # The page shows what was recorded when it opens again.
    again = client.get(f"/rsvp/{invitation.token}/").content.decode()
    assert 'value="Omar Khan"' in again


def test_too_many_guests_on_the_invitation_page_is_explained_on_the_form(dinner):
    guest = factories.make_donor(email="b@example.org")
    [invitation] = invitations_create(event=dinner, donors=[guest])

    response = Client().post(
        f"/rsvp/{invitation.token}/",
        {"answer": "yes", "party_size": "1", "guest_2_name": "Omar", "guest_3_name": "Sara"},
    )

    assert response.status_code == 200
    assert "You named 2 guests for a party of 1" in response.content.decode()
    assert not RSVP.objects.exists()


def test_the_public_page_carries_each_guests_meal_to_the_confirmation(dinner, mailoutbox):
    client = Client()
    response = client.post(
        "/events/fremont/",
        {
            "first_name": "Ayesha",
            "last_name": "Khan",
            "email": "ayesha@example.org",
            "answer": "yes",
            "party_size": "2",
            "guest_1_meal": _meal(dinner, "Chicken").pk,
            "guest_2_name": "Дмитрий Иванов",
            "guest_2_meal": _meal(dinner, "Fish").pk,
            "guest_2_dietary": "no shellfish",
        },
    )
    assert response.status_code == 200
    link = next(word for word in mailoutbox[-1].body.split() if "/events/fremont/confirm/" in word)
    path = link[link.index("/events/") :]
    assert "Дмитрий Иванов: Fish (no shellfish)" in client.get(path).content.decode()

    client.post(path)

    rsvp = RSVP.objects.get(event=dinner)
    assert _people(rsvp) == [
        ("Ayesha Khan", "Chicken", ""),
        ("Дмитрий Иванов", "Fish", "no shellfish"),
    ]


def test_the_summary_counts_meals_of_confirmed_guests_and_those_not_chosen(
    dinner, organizer, client
):
    fish, chicken = _meal(dinner, "Fish"), _meal(dinner, "Chicken")
    rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=3,
                guests=[GuestDetails(meal=fish), GuestDetails("Omar", fish)])  # fmt: skip
    rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=1,
                guests=[GuestDetails(meal=chicken)])  # fmt: skip
    rsvp_submit(event=dinner, donor=factories.make_donor(), answer="maybe",
                guests=[GuestDetails(meal=chicken)])  # fmt: skip
    client.force_login(organizer)

    page = client.get("/events/fremont/summary/").content.decode()

    assert 'href="/events/fremont/seating/"' in page
    meals = page[page.index('id="meals"') :]
    for meal, count in (("Chicken", 1), ("Fish", 2), ("Vegetarian", 0), ("Not chosen yet", 1)):
        assert f'<td>{meal}</td><td class="num">{count}</td>' in meals


def test_the_attendee_export_lists_guests_and_everyones_meal(dinner, organizer, client):
    rsvp_submit(
        event=dinner,
        donor=factories.make_donor(first_name="Ayesha", last_name="Khan"),
        answer="yes",
        party_size=2,
        guests=[GuestDetails(meal=_meal(dinner, "Fish")), GuestDetails("小龍 李", None, "halal")],
    )
    client.force_login(organizer)

    response = client.get("/events/fremont/attendees.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert row[header.index("Guests")] == "小龍 李"
    assert row[header.index("Dietary needs")] == "小龍 李: halal"
    assert row[header.index("Meals")] == "Ayesha Khan: Fish; 小龍 李: not chosen"


def test_organizers_set_the_menu_on_the_events_admin_page(dinner, organizer, client):
    client.force_login(organizer)
    fish = _meal(dinner, "Fish")
    data = event_change_data(dinner)
    data.update({
        "menu_choices-TOTAL_FORMS": "2", "menu_choices-INITIAL_FORMS": "1",
        "menu_choices-0-id": fish.pk, "menu_choices-0-event": dinner.pk,
        "menu_choices-0-name": "Salmon", "menu_choices-0-position": "1",
        "menu_choices-1-name": "Child's plate", "menu_choices-1-position": "9",
    })  # fmt: skip

    response = client.post(f"/admin/events/event/{dinner.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(dinner.menu_choices.values_list("name", flat=True)) == [
        "Chicken", "Salmon", "Vegetarian", "Child's plate"
    ]  # fmt: skip
    renamed = LogEntry.objects.get_for_object(fish).first()
    assert (renamed.actor, renamed.changes_dict["name"]) == (organizer, ["Fish", "Salmon"])


def _rsvp_page_data(rsvp, **extra):
    data = {"dietary_needs": rsvp.dietary_needs, "table": rsvp.table_id or ""}
    guests = list(rsvp.guests.order_by("position"))
    data.update({"guests-TOTAL_FORMS": str(len(guests)), "guests-INITIAL_FORMS": str(len(guests))})
    for number, guest in enumerate(guests):
        data.update({
            f"guests-{number}-id": guest.pk, f"guests-{number}-rsvp": rsvp.pk,
            f"guests-{number}-position": guest.position, f"guests-{number}-name": guest.name,
            f"guests-{number}-meal": guest.meal_id or "",
            f"guests-{number}-dietary_needs": guest.dietary_needs,
        })  # fmt: skip
    data.update(extra)
    return data


def test_the_admins_rsvp_page_edits_each_guest_through_the_services(dinner, organizer, client):
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=3,
                       guests=[GuestDetails(), GuestDetails("Omar Khan")])  # fmt: skip
    client.force_login(organizer)
    page = client.get(f"/admin/events/rsvp/{rsvp.pk}/change/").content.decode()
    assert "Omar Khan" in page and "Vegetarian" in page

    data = _rsvp_page_data(rsvp)
    data.update({
        "guests-0-meal": _meal(dinner, "Vegetarian").pk, "guests-TOTAL_FORMS": "2",
        "guests-1-rsvp": rsvp.pk, "guests-1-position": "3", "guests-1-name": "Sara Khan",
        "guests-1-dietary_needs": "gluten-free",
    })  # fmt: skip
    response = client.post(f"/admin/events/rsvp/{rsvp.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(n, m) for n, m, _ in _people(rsvp)][1:] == [("Omar Khan", "Vegetarian"),
                                                        ("Sara Khan", "")]  # fmt: skip
    sara = rsvp.guests.get(position=3)
    assert LogEntry.objects.get_for_object(sara).get().actor == organizer


def test_the_admin_refuses_a_guest_beyond_the_party_size(dinner, organizer, client):
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=1)
    client.force_login(organizer)
    data = _rsvp_page_data(rsvp)
    data.update({"guests-TOTAL_FORMS": "1", "guests-0-rsvp": rsvp.pk,
                 "guests-0-position": "2", "guests-0-name": "Omar"})  # fmt: skip

    response = client.post(f"/admin/events/rsvp/{rsvp.pk}/change/", data)

    assert response.status_code == 200
    assert "The party is 1: guest 2 is one too many." in response.content.decode()
    assert not Guest.objects.exists()


def test_the_admin_refuses_more_people_at_a_table_than_its_seats(dinner, organizer, client):
    table = Table.objects.create(event=dinner, name="Table 4", seats=10)
    for _ in range(2):
        seated = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=4)
        RSVP.objects.filter(pk=seated.pk).update(table=table)
    khan = rsvp_submit(
        event=dinner,
        donor=factories.make_donor(first_name="Ayesha", last_name="Khan"),
        answer="yes",
        party_size=3,
    )
    client.force_login(organizer)

    response = client.post(
        f"/admin/events/rsvp/{khan.pk}/change/", _rsvp_page_data(khan, table=table.pk)
    )

    assert response.status_code == 200
    assert "Table 4 has 2 seats left; the Khan party is 3." in response.content.decode()
    assert RSVP.objects.get(pk=khan.pk).table is None


def test_a_tables_seats_cannot_drop_below_the_people_seated(dinner, staff, client):
    table = Table.objects.create(event=dinner, name="Table 4", seats=10)
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=4)
    RSVP.objects.filter(pk=rsvp.pk).update(table=table)
    client.force_login(staff)
    data = event_change_data(dinner, money=True, organizers=list(dinner.organizers.all()))
    data.update({
        "tables-TOTAL_FORMS": "1", "tables-INITIAL_FORMS": "1", "tables-0-id": table.pk,
        "tables-0-event": dinner.pk, "tables-0-name": "Table 4", "tables-0-seats": "3",
    })  # fmt: skip

    response = client.post(f"/admin/events/event/{dinner.pk}/change/", data)

    assert response.status_code == 200
    assert "4 people are seated at Table 4" in response.content.decode()
    assert Table.objects.get(pk=table.pk).seats == 10
