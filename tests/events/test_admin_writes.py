"""The events admin writes only through the events services (common.door: under tests a write
outside a service raises), its add forms only check, and what one request changes on a form
never reaches the next request's form."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import Client

from donors.models import Gift
from events.admin import EventGiftForm, TicketPurchaseForm
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
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db

PAID = datetime.date(2025, 3, 15)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dinners(organization, organizer):
    erin = factories.make_user("erin", "Event organizer")
    indy = factories.make_event(name="Indianapolis Dinner", slug="indy", organizers=[organizer])
    fremont = factories.make_event(name="Fremont Gala", slug="fremont", organizers=[erin])
    return {
        "dana": organizer,
        "erin": erin,
        "indy": indy,
        "fremont": fremont,
        "indy_seat": factories.make_ticket_type(indy, name="Indy seat", quantity=2),
        "fremont_seat": factories.make_ticket_type(fremont, name="Fremont seat"),
    }


def _ticket_type_choices(page: str) -> tuple[bool, bool]:
    return "Indy seat" in page, "Fremont seat" in page


def test_each_request_builds_its_own_add_form_and_the_shared_class_stays_as_declared(
    dinners, staff
):
    declared = {
        form: {name: type(field.widget) for name, field in form.base_fields.items()}
        for form in (TicketPurchaseForm, EventGiftForm)
    }
    dana, erin, boss = _as(dinners["dana"]), _as(dinners["erin"]), _as(staff)

    pages = [
        client.get("/admin/events/ticketpurchase/add/").content.decode()
        for client in (dana, erin, boss, dana)
    ]
    boss.get("/admin/events/eventgift/add/")

    # Each organizer is offered their own event's tickets, whoever asked before them.
    assert [_ticket_type_choices(page) for page in pages] == [
        (True, False),
        (False, True),
        (True, True),
        (True, False),
    ]
    # The donor box searches as you type on every page...
    assert all('data-ajax--url="/admin/autocomplete/"' in page for page in pages)
    # ...because each request's form instance gets the widget; the class is never changed.
    assert {
        form: {name: type(field.widget) for name, field in form.base_fields.items()}
        for form in (TicketPurchaseForm, EventGiftForm)
    } == declared


def test_a_ticket_form_the_service_refuses_writes_nothing(dinners):
    buyer = factories.make_donor()
    entries = LogEntry.objects.count()

    response = _as(dinners["dana"]).post(
        "/admin/events/ticketpurchase/add/",
        {"ticket_type": dinners["indy_seat"].pk, "quantity": "3", "donor": buyer.pk,
         "method": "check", "check_number": "311", "gift_date": PAID.isoformat()},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Only 2 Indy seat ticket(s) are left." in response.content.decode()
    assert not Gift.objects.exists()
    assert not TicketPurchase.objects.exists()
    assert not RSVP.objects.exists()
    assert LogEntry.objects.count() == entries


def test_a_gift_form_the_gift_rules_refuse_writes_nothing(dinners, staff):
    donor = factories.make_donor()
    entries = LogEntry.objects.count()

    response = _as(staff).post(
        "/admin/events/eventgift/add/",
        {"event": dinners["indy"].pk, "donor": donor.pk, "amount": "500.00", "method": "cash",
         "check_number": "12", "gift_date": PAID.isoformat()},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Only checks have a check number." in response.content.decode()
    assert not Gift.objects.exists()
    assert not EventGift.objects.exists()
    assert LogEntry.objects.count() == entries


def test_a_valid_ticket_form_records_the_purchase_once_on_save(dinners):
    buyer = factories.make_donor()

    response = _as(dinners["dana"]).post(
        "/admin/events/ticketpurchase/add/",
        {"ticket_type": dinners["indy_seat"].pk, "quantity": "2", "donor": buyer.pk,
         "method": "check", "check_number": "311", "gift_date": PAID.isoformat()},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    purchase = TicketPurchase.objects.get()
    assert (purchase.quantity, purchase.gift.amount, purchase.gift.donor) == (
        2,
        Decimal("300.00"),
        buyer,
    )
    assert response["Location"] == "/admin/events/ticketpurchase/"


def test_staff_edit_an_event_its_inlines_and_organizers_through_the_services(dinners, staff):
    event = dinners["indy"]
    seat = dinners["indy_seat"]
    old_table = Table.objects.create(event=event, name="Table 9")
    data = event_change_data(event, money=True, organizers=[dinners["dana"], dinners["erin"]])
    data.update({
        "ticket_types-TOTAL_FORMS": "1", "ticket_types-INITIAL_FORMS": "1",
        "ticket_types-0-id": seat.pk, "ticket_types-0-event": event.pk,
        "ticket_types-0-name": seat.name, "ticket_types-0-price": "175.00",
        "ticket_types-0-fair_market_value": "60.00", "ticket_types-0-seats": "1",
        "ticket_types-0-quantity": "2",
        "tables-TOTAL_FORMS": "2", "tables-INITIAL_FORMS": "1",
        "tables-0-id": old_table.pk, "tables-0-event": event.pk, "tables-0-name": "Table 9",
        "tables-0-seats": "10", "tables-0-DELETE": "on",
        "tables-1-name": "Head table", "tables-1-seats": "12",
    })  # fmt: skip

    response = _as(staff).post(f"/admin/events/event/{event.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert TicketType.objects.get(pk=seat.pk).price == Decimal("175.00")
    assert list(Table.objects.filter(event=event).values_list("name", "seats")) == [
        ("Head table", 12)
    ]
    assert set(event.organizers.all()) == {dinners["dana"], dinners["erin"]}


def test_an_organizers_guest_list_keeps_the_sharing_they_cannot_see(dinners, staff):
    donor = factories.make_donor()
    shared = _as(staff).post(
        "/admin/events/guestlist/add/",
        {"name": "Host committee", "donors": [donor.pk],
         "events": [dinners["indy"].pk, dinners["fremont"].pk]},
    )  # fmt: skip
    assert shared.status_code == 302
    guests = GuestList.objects.get()
    assert guests.created_by == staff

    other = factories.make_donor()
    response = _as(dinners["dana"]).post(
        f"/admin/events/guestlist/{guests.pk}/change/",
        {"name": "Host committee", "donors": [donor.pk, other.pk], "events": [dinners["indy"].pk]},
    )

    assert response.status_code == 302
    assert set(guests.donors.all()) == {donor, other}
    assert set(guests.events.all()) == {dinners["indy"], dinners["fremont"]}

    deleted = _as(staff).post(
        "/admin/events/guestlist/",
        {"action": "delete_selected", "_selected_action": [guests.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert not GuestList.objects.exists()


def test_invitations_and_events_are_deleted_through_the_services(dinners, staff):
    donor = factories.make_donor()
    boss = _as(staff)
    boss.post("/admin/events/invitation/add/", {"event": dinners["indy"].pk, "donor": donor.pk})
    invitation = Invitation.objects.get()

    response = boss.post(f"/admin/events/invitation/{invitation.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Invitation.objects.exists()

    fremont = dinners["fremont"]
    response = boss.post(f"/admin/events/event/{fremont.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=fremont.pk).exists()
    assert not TicketType.objects.filter(event_id=fremont.pk).exists()
