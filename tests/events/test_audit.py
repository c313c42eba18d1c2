"""Every change to an event and what belongs to it leaves an audit entry naming who made it
(no one, for a guest on the public pages) and what changed; the event's "Audit log" page shows
one history across the event, its ticket types, tables, invitations, RSVPs, check-ins, tickets
bought and gifts made at it."""

import datetime
import io
import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from events.models import (
    RSVP,
    Event,
    EventGift,
    GuestList,
    Invitation,
    Table,
    TicketPurchase,
    TicketType,
)
from events.services import invitations_create, rsvp_submit
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db

PAID = datetime.date(2025, 3, 15)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _last(obj) -> LogEntry:
    return LogEntry.objects.get_for_object(obj).order_by("-timestamp", "-pk").first()


@pytest.fixture
def dinner(organization, organizer):
    campaign = factories.make_campaign(name="Dinners 2025")
    # To the minute, as the admin's form shows times: saving it unchanged changes no time.
    start = (timezone.now() + datetime.timedelta(days=30)).replace(second=0, microsecond=0)
    return factories.make_event(
        name="Indianapolis Dinner", slug="indy", capacity=50, campaign=campaign,
        organizers=[organizer], starts_at=start,
    )  # fmt: skip


def test_an_event_made_in_the_admin_is_recorded_with_its_ticket_types_and_organizer(
    client, organization, organizer
):
    from tests.events.test_admin_events import _event_form

    client.force_login(organizer)
    response = client.post("/admin/events/event/add/", _event_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    created = LogEntry.objects.get_for_object(event).order_by("pk")
    assert [(e.action, e.actor) for e in created] == [
        (LogEntry.Action.CREATE, organizer), (LogEntry.Action.UPDATE, organizer)
    ]  # fmt: skip
    assert created[0].changes_dict["name"] == ["None", "Los Angeles Dinner"]
    # The organizer who made it runs it: the organizers' change is recorded too.
    assert created[1].changes_dict["organizers"]["objects"] == [str(organizer)]
    ticket = _last(TicketType.objects.get())
    assert (ticket.action, ticket.actor) == (LogEntry.Action.CREATE, organizer)
    assert ticket.changes_dict["price"] == ["None", "150.00"]


def test_staff_changing_an_event_and_its_tables_are_recorded(dinner, staff):
    table = Table.objects.create(event=dinner, name="Table 1", seats=10)
    data = event_change_data(dinner, money=True, organizers=list(dinner.organizers.all()),
                             capacity="80")  # fmt: skip
    data.update({
        "tables-TOTAL_FORMS": "1", "tables-INITIAL_FORMS": "1", "tables-0-id": table.pk,
        "tables-0-event": dinner.pk, "tables-0-name": "Table 1", "tables-0-seats": "12",
    })  # fmt: skip

    response = _as(staff).post(f"/admin/events/event/{dinner.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    event_entry, table_entry = _last(dinner), _last(table)
    assert (event_entry.actor, event_entry.changes_dict) == (staff, {"capacity": ["50", "80"]})
    assert (table_entry.actor, table_entry.changes_dict) == (staff, {"seats": ["10", "12"]})


def test_an_answer_given_on_the_public_page_is_recorded_with_no_user(client, dinner):
    client.post(
        "/events/indy/",
        {"first_name": "Bilal", "last_name": "Raza", "email": "bilal@example.org",
         "answer": "yes", "party_size": "3", "guest_names": "", "dietary_needs": ""},
    )  # fmt: skip
    [link] = re.findall(r"http://[^/]+(/events/indy/confirm/\S+/)", mail.outbox[-1].body)

    client.post(link)

    rsvp = RSVP.objects.get()
    entry = _last(rsvp)
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, None)
    assert entry.changes_dict["answer"] == ["None", "yes"]
    assert entry.changes_dict["party_size"] == ["None", "3"]
    assert "answer_version" not in entry.changes_dict


def test_an_answer_changed_through_the_invitation_link_is_recorded_with_the_diff(client, dinner):
    donor = factories.make_donor()
    [invitation] = invitations_create(event=dinner, donors=[donor])
    rsvp_submit(event=dinner, donor=donor, answer="yes", party_size=2, invitation=invitation)

    client.post(
        invitation.get_absolute_url(),
        {"answer": "no", "party_size": "1", "guest_names": "", "dietary_needs": ""},
    )

    entry = _last(RSVP.objects.get())
    assert (entry.action, entry.actor) == (LogEntry.Action.UPDATE, None)
    assert entry.changes_dict["answer"] == ["yes", "no"]
    assert entry.changes_dict["party_size"] == ["2", "1"]


def test_an_organizers_check_in_and_its_undo_are_recorded_with_the_organizer(dinner, organizer):
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes", party_size=3)
    door = _as(organizer)

    door.post(f"/events/indy/check-in/{rsvp.pk}/", {"count": "2"})
    checked_in = _last(rsvp)
    door.post(f"/events/indy/check-in/{rsvp.pk}/", {"undo": "1"})
    undone = _last(rsvp)

    assert (checked_in.actor, checked_in.action) == (organizer, LogEntry.Action.UPDATE)
    assert checked_in.changes_dict["checked_in_count"] == ["0", "2"]
    assert checked_in.changes_dict["checked_in_at"][0] == "None"
    assert undone.actor == organizer
    assert undone.changes_dict["checked_in_count"] == ["2", "0"]
    assert undone.changes_dict["checked_in_at"][1] == "None"


def test_a_walk_in_is_recorded_with_the_organizer_at_the_door(dinner, organizer):
    response = _as(organizer).post(
        "/events/indy/check-in/walk-in/", {"first_name": "Sara", "last_name": "Ali", "count": "2"}
    )

    assert response.status_code == 201, response.content.decode()
    entry = _last(RSVP.objects.get())
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, organizer)
    assert entry.changes_dict["walk_in"] == ["None", "True"]
    assert entry.changes_dict["checked_in_count"] == ["None", "2"]


def test_invitations_sent_from_the_invite_page_are_each_recorded_without_their_token(
    dinner, organizer
):
    guests = GuestList.objects.create(name="Host committee")
    guests.donors.add(factories.make_donor(), factories.make_donor())
    guests.events.add(dinner)

    response = _as(organizer).post(
        "/events/indy/invite/", {"guest_lists": [guests.pk], "send": "1"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    invitations = list(Invitation.objects.all())
    assert len(invitations) == 2
    for invitation in invitations:
        created = LogEntry.objects.get_for_object(invitation).get(action=LogEntry.Action.CREATE)
        assert created.actor == organizer
        assert created.changes_dict["donor"] == ["None", str(invitation.donor_id)]
        assert "token" not in created.changes_dict
        assert invitation.token not in str(created.changes)


def test_tickets_bought_at_the_door_and_a_paddle_raise_gift_are_recorded(dinner, organizer, staff):
    seat = factories.make_ticket_type(dinner, name="Dinner seat")
    buyer, giver = factories.make_donor(), factories.make_donor()

    _as(organizer).post(
        "/admin/events/ticketpurchase/add/",
        {"ticket_type": seat.pk, "quantity": "2", "donor": buyer.pk, "method": "cash",
         "gift_date": PAID.isoformat()},
    )  # fmt: skip
    _as(staff).post(
        "/admin/events/eventgift/add/",
        {"event": dinner.pk, "donor": giver.pk, "amount": "1000.00", "method": "cash",
         "gift_date": PAID.isoformat()},
    )  # fmt: skip

    purchase = _last(TicketPurchase.objects.get())
    assert (purchase.action, purchase.actor) == (LogEntry.Action.CREATE, organizer)
    assert purchase.changes_dict["quantity"] == ["None", "2"]
    paddle = _last(EventGift.objects.get())
    assert (paddle.action, paddle.actor) == (LogEntry.Action.CREATE, staff)
    # The buyer's seats: their RSVP, made by the purchase, is recorded under the organizer too.
    seated = _last(RSVP.objects.get(donor=buyer))
    assert (seated.actor, seated.changes_dict["party_size"]) == (organizer, ["None", "2"])


def test_table_assignments_and_deleted_answers_in_the_admin_are_recorded(dinner, organizer):
    table = Table.objects.create(event=dinner, name="Table 4")
    rsvp = rsvp_submit(event=dinner, donor=factories.make_donor(), answer="yes")
    admin = _as(organizer)

    admin.post(f"/admin/events/rsvp/{rsvp.pk}/change/",
               {"table": table.pk, "dietary_needs": "vegan", "guests-TOTAL_FORMS": "0",
                "guests-INITIAL_FORMS": "0"})  # fmt: skip
    seated = _last(rsvp)
    admin.post(f"/admin/events/rsvp/{rsvp.pk}/delete/", {"post": "yes"})

    assert seated.actor == organizer
    assert seated.changes_dict == {"table": ["None", str(table.pk)], "dietary_needs": ["", "vegan"]}
    deleted = _last(rsvp)
    assert (deleted.action, deleted.actor) == (LogEntry.Action.DELETE, organizer)


def test_the_events_audit_log_is_one_history_of_the_event_and_all_of_its_records(
    dinner, organizer, staff
):
    other = factories.make_event(name="Fremont Gala", slug="fremont")
    factories.make_ticket_type(other, name="Gala seat")
    seat = factories.make_ticket_type(dinner, name="Dinner seat")
    Table.objects.create(event=dinner, name="Head table")
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    invitations_create(event=dinner, donors=[donor])
    rsvp = rsvp_submit(event=dinner, donor=donor, answer="yes", party_size=2)
    _as(organizer).post(
        "/admin/events/ticketpurchase/add/",
        {"ticket_type": seat.pk, "quantity": "1", "donor": factories.make_donor().pk,
         "method": "cash", "gift_date": PAID.isoformat()},
    )  # fmt: skip
    _as(organizer).post(f"/admin/events/rsvp/{rsvp.pk}/delete/", {"post": "yes"})
    boss = _as(staff)

    change_page = boss.get(f"/admin/events/event/{dinner.pk}/change/").content.decode()
    assert f"/admin/events/event/{dinner.pk}/auditlog/" in change_page
    pages = []
    for number in range(1, 5):  # ten entries a page
        response = boss.get(f"/admin/events/event/{dinner.pk}/auditlog/?p={number}")
        assert response.status_code == 200
        pages.append(response.content.decode())
    everything = "".join(pages)

    kinds = set(re.findall(r"<strong>([^<]+)</strong>: ", everything))
    assert kinds == {"Event", "Ticket type", "Table", "Invitation", "RSVP", "Ticket purchase"}
    # Newest first: the deleted answer's entry opens the first page.
    assert re.search(r"<strong>RSVP</strong>: Ayesha Khan", pages[0])
    assert "Gala seat" not in everything and "Fremont Gala" not in everything
    # Organizers do not read audit logs.
    assert _as(organizer).get(f"/admin/events/event/{dinner.pk}/auditlog/").status_code == 403


def test_rsvps_imported_by_the_command_are_each_recorded_with_the_importing_user(
    dinner, organizer, tmp_path
):
    factories.make_donor(email="omar@example.org", first_name="Omar", last_name="Farooq")
    path = tmp_path / "rsvps.csv"
    path.write_text("event,donor_email,answer,party_size\nindy,omar@example.org,yes,2\n")

    call_command("import_rsvps", str(path), "--user", organizer.username, stdout=io.StringIO())

    entry = _last(RSVP.objects.get())
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, organizer)
    assert entry.changes_dict["party_size"] == ["None", "2"]
    # And one summary on the event: which file, what it did.
    summary = _last(dinner)
    assert summary.changes_dict["rsvps imported"][0] == "rsvps.csv"
