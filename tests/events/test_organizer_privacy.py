"""Organizers see and act only on the events they run: two organizers, two events, every
surface (admin lists, change pages, form choices, filters, search, the door, the summary and
the exports). Staff see everything; an organizer who runs no event sees no event."""

import datetime

import pytest
from django.test import Client

from common.roles import EVENT_ORGANIZER
from donors.models import GiftMethod
from events.models import RSVP, GuestList, Invitation, TicketPurchase
from events.services import invitations_create, rsvp_submit, ticket_purchase_record
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_dinners(organization, organizer):
    """Dana runs the Indianapolis dinner, Erin the Fremont one; each has a guest, an
    invitation, a ticket buyer and a guest list shared with it."""
    erin = factories.make_user("erin", EVENT_ORGANIZER)
    indy = factories.make_event(name="Indianapolis Dinner", slug="indy", organizers=[organizer])
    fremont = factories.make_event(name="Fremont Gala", slug="fremont", organizers=[erin])
    made = {"dana": organizer, "erin": erin, "indy": indy, "fremont": fremont}
    for key, event, last in (("indy", indy, "Khan"), ("fremont", fremont, "Zafar")):
        guest = factories.make_donor(
            first_name="Guest", last_name=last, email=f"{last}@example.org"
        )
        buyer = factories.make_donor(
            first_name="Buyer", last_name=f"{last}buyer", email=f"{last}buyer@example.org"
        )
        ticket = factories.make_ticket_type(event, name=f"{event.name} seat")
        made[f"{key}_rsvp"] = rsvp_submit(event=event, donor=guest, answer="yes", party_size=2)
        made[f"{key}_invitation"] = invitations_create(event=event, donors=[guest])[0]
        made[f"{key}_ticket"] = ticket
        made[f"{key}_purchase"] = ticket_purchase_record(
            ticket_type=ticket,
            donor=buyer,
            quantity=1,
            method=GiftMethod.CHECK,
            gift_date=datetime.date(2025, 3, 15),
        )
        guest_list = GuestList.objects.create(name=f"{event.name} host committee")
        guest_list.events.add(event)
        made[f"{key}_list"] = guest_list
    return made


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_event_list_and_pages_show_an_organizer_only_their_events(two_dinners):
    dana = _as(two_dinners["dana"])
    indy, fremont = two_dinners["indy"], two_dinners["fremont"]

    listing = _page(dana, "/admin/events/event/")
    assert "Indianapolis Dinner" in listing and "Fremont Gala" not in listing
    assert _page(dana, f"/admin/events/event/{indy.pk}/change/")
    for page in ("change", "history", "delete"):
        response = dana.get(f"/admin/events/event/{fremont.pk}/{page}/")
        assert response.status_code == 404, page
        assert "Fremont" not in response.content.decode()
    # Erin, the other way round.
    erin = _as(two_dinners["erin"])
    assert "Fremont Gala" in _page(erin, "/admin/events/event/")
    assert erin.get(f"/admin/events/event/{indy.pk}/change/").status_code == 404


def test_an_organizer_cannot_change_or_delete_another_events_records(two_dinners):
    dana = _as(two_dinners["dana"])
    fremont = two_dinners["fremont"]
    rsvp = two_dinners["fremont_rsvp"]

    response = dana.post(
        "/admin/events/event/",
        {"action": "delete_selected", "_selected_action": [fremont.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    response = dana.post(
        "/admin/events/rsvp/",
        {"action": "delete_selected", "_selected_action": [rsvp.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    response = dana.post(
        f"/admin/events/rsvp/{rsvp.pk}/change/", {"dietary_needs": "", "guests-TOTAL_FORMS": "0"}
    )
    assert response.status_code == 404

    fremont.refresh_from_db()  # still there
    rsvp.refresh_from_db()
    assert rsvp.guest_names == ""


def test_invitations_rsvps_and_ticket_purchases_list_only_the_organizers_event(two_dinners, staff):
    dana = _as(two_dinners["dana"])
    staff_client = _as(staff)

    for model, ours, theirs in (
        ("invitation", two_dinners["indy_invitation"], two_dinners["fremont_invitation"]),
        ("rsvp", two_dinners["indy_rsvp"], two_dinners["fremont_rsvp"]),
        ("ticketpurchase", two_dinners["indy_purchase"], two_dinners["fremont_purchase"]),
    ):
        listing = _page(dana, f"/admin/events/{model}/")
        assert "Fremont" not in listing, model  # not in the rows, nor in the "By event" filter
        assert "Zafar" not in listing, model
        assert "Indianapolis Dinner" in listing, model
        assert _page(dana, f"/admin/events/{model}/{ours.pk}/change/")
        assert dana.get(f"/admin/events/{model}/{theirs.pk}/change/").status_code == 404, model
        # Filtering by the other event's id, or searching a donor of it, finds nothing.
        other = two_dinners["fremont"].pk
        for query in (f"event__id__exact={other}", "q=Zafar"):
            response = dana.get(f"/admin/events/{model}/?{query}")
            assert response.status_code == 200, (model, query)
            assert response.context["cl"].result_count == 0, (model, query)
            assert "Fremont" not in response.content.decode(), (model, query)
        # Staff find both.
        assert staff_client.get(f"/admin/events/{model}/?q=Zafar").context["cl"].result_count


def test_a_donors_ticket_spending_on_other_events_stays_hidden(two_dinners):
    """The ticket-purchase list is the one money organizers see: only their event's."""
    buyer = two_dinners["fremont_purchase"].gift.donor
    # The Fremont buyer also buys a seat at the Indianapolis dinner.
    ticket_purchase_record(
        ticket_type=two_dinners["indy_ticket"],
        donor=buyer,
        quantity=2,
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2025, 3, 15),
    )
    dana = _as(two_dinners["dana"])

    response = dana.get("/admin/events/ticketpurchase/?q=Zafarbuyer")

    assert response.context["cl"].result_count == 1
    listing = response.content.decode()
    assert listing.count("$300.00") == 1  # the two Indianapolis seats
    assert "$150.00" not in listing  # the Fremont seat


def test_the_add_forms_offer_only_the_organizers_events(two_dinners):
    dana = _as(two_dinners["dana"])
    fremont = two_dinners["fremont"]

    for url in ("/admin/events/invitation/add/", "/admin/events/ticketpurchase/add/"):
        page = _page(dana, url)
        assert "Indianapolis Dinner" in page and "Fremont" not in page, url

    donor = factories.make_donor()
    response = dana.post("/admin/events/invitation/add/", {"event": fremont.pk, "donor": donor.pk})
    assert response.status_code == 200
    assert not Invitation.objects.filter(donor=donor).exists()

    response = dana.post(
        "/admin/events/ticketpurchase/add/",
        {
            "ticket_type": two_dinners["fremont_ticket"].pk,
            "quantity": "1",
            "donor": donor.pk,
            "method": GiftMethod.CHECK,
            "gift_date": "2025-03-01",
        },
    )
    assert response.status_code == 200
    assert not TicketPurchase.objects.filter(gift__donor=donor).exists()


def test_guest_lists_an_organizer_sees_are_theirs_or_shared_with_their_event(two_dinners):
    dana = _as(two_dinners["dana"])
    response = dana.post("/admin/events/guestlist/add/", {"name": "Dana's table captains"})
    assert response.status_code == 302

    listing = _page(dana, "/admin/events/guestlist/")
    assert "Indianapolis Dinner host committee" in listing
    assert "Dana&#x27;s table captains" in listing
    assert "Fremont Gala host committee" not in listing
    theirs = two_dinners["fremont_list"]
    assert dana.get(f"/admin/events/guestlist/{theirs.pk}/change/").status_code == 404
    # Erin does not see Dana's own list.
    assert "table captains" not in _page(_as(two_dinners["erin"]), "/admin/events/guestlist/")


def test_an_organizer_sharing_a_list_keeps_the_sharing_they_cannot_see(two_dinners):
    both = two_dinners["indy_list"]
    both.events.add(two_dinners["fremont"])
    dana = _as(two_dinners["dana"])

    response = dana.post(
        f"/admin/events/guestlist/{both.pk}/change/",
        {"name": both.name, "events": [two_dinners["indy"].pk]},
    )

    assert response.status_code == 302
    assert set(both.events.all()) == {two_dinners["indy"], two_dinners["fremont"]}


def test_the_invite_page_offers_only_the_organizers_events_and_lists(two_dinners):
    dana = _as(two_dinners["dana"])
    past = factories.make_event(
        name="Indianapolis Dinner 2024", slug="indy-2024", organizers=[two_dinners["dana"]]
    )

    page = _page(dana, "/events/indy/invite/")

    assert "Indianapolis Dinner 2024" in page and "Indianapolis Dinner host committee" in page
    assert "Fremont" not in page
    response = dana.post(
        "/events/indy/invite/",
        {
            "past_events": [two_dinners["fremont"].pk],
            "guest_lists": [two_dinners["fremont_list"].pk],
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert past.pk  # offered above; the other event's choices were refused


@pytest.mark.parametrize(
    "page",
    [
        "check-in/",
        "check-in/search/?q=zafar",
        "invite/",
        "summary/",
        "attendees.csv",
        "attendees.xlsx",
        "door-list.pdf",
    ],
)
def test_the_organizers_pages_of_another_event_answer_404(two_dinners, page):
    dana = _as(two_dinners["dana"])

    assert dana.get(f"/events/indy/{page}").status_code == 200
    response = dana.get(f"/events/fremont/{page}")
    assert response.status_code == 404
    assert b"Fremont" not in response.content and b"Zafar" not in response.content


def test_the_door_refuses_to_check_in_a_party_of_another_event(two_dinners):
    dana = _as(two_dinners["dana"])
    theirs = two_dinners["fremont_rsvp"]

    assert dana.post(f"/events/fremont/check-in/{theirs.pk}/", {"count": "2"}).status_code == 404
    assert dana.post(f"/events/indy/check-in/{theirs.pk}/", {"count": "2"}).status_code == 404
    response = dana.post("/events/fremont/check-in/walk-in/", {"last_name": "Walker"})
    assert response.status_code == 404

    theirs.refresh_from_db()
    assert theirs.checked_in_count == 0
    assert not RSVP.objects.filter(donor__last_name="Walker").exists()


def test_an_organizer_who_runs_no_event_sees_none(two_dinners):
    frank = _as(factories.make_user("frank", EVENT_ORGANIZER))

    for model in ("event", "invitation", "rsvp", "ticketpurchase", "guestlist"):
        listing = _page(frank, f"/admin/events/{model}/")
        assert "Indianapolis" not in listing and "Fremont" not in listing, model
        assert "0 " in listing or "No " in listing or "0&nbsp;" in listing, model
    assert frank.get("/events/indy/check-in/").status_code == 404
    assert frank.get("/events/indy/summary/").status_code == 404


def test_staff_see_and_assign_every_event(two_dinners, staff):
    client = _as(staff)
    listing = _page(client, "/admin/events/event/")
    assert "Indianapolis Dinner" in listing and "Fremont Gala" in listing
    page = _page(client, f"/admin/events/event/{two_dinners['fremont'].pk}/change/")
    assert 'name="organizers"' in page
    assert _page(client, "/events/fremont/summary/")
    # The organizers' own page of an event never offers them the choice of organizers.
    dana_page = _page(
        _as(two_dinners["dana"]), f"/admin/events/event/{two_dinners['indy'].pk}/change/"
    )
    assert 'name="organizers"' not in dana_page


def test_staff_assign_an_organizer_who_then_sees_the_event(two_dinners, staff):
    fremont = two_dinners["fremont"]
    dana = _as(two_dinners["dana"])
    assert dana.get("/events/fremont/summary/").status_code == 404

    response = _as(staff).post(
        f"/admin/events/event/{fremont.pk}/change/",
        event_change_data(
            fremont, money=True, organizers=[two_dinners["erin"], two_dinners["dana"]]
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Fremont Gala" in _page(dana, "/events/fremont/summary/")
    assert "Fremont Gala" in _page(dana, "/admin/events/event/")


def test_an_organizer_imports_and_exports_rsvps_of_their_event_only(two_dinners):
    from django.contrib.admin import helpers
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.donors.import_files import csv_bytes

    dana = _as(two_dinners["dana"])
    content = csv_bytes(
        ["event", "donor_email", "donor_first_name", "donor_last_name", "answer"],
        [["fremont", "new@example.org", "New", "Guest", "yes"]],
    )

    preview = dana.post(
        "/admin/events/rsvp/import/",
        {"format": "0", "import_file": SimpleUploadedFile("rsvps.csv", content, "text/csv")},
    )

    assert "event &#x27;fremont&#x27; is not the slug of any event" in preview.text or (
        "event 'fremont' is not the slug of any event" in preview.text
    )
    assert "Fremont Gala" not in preview.text
    assert "confirm_form" not in (preview.context or {}) or not preview.context["confirm_form"]
    assert not RSVP.objects.filter(donor__emails__email="new@example.org").exists()

    # Exporting the selection, with another event's RSVP slipped in: only Dana's come out.
    ids = [two_dinners["indy_rsvp"].pk, two_dinners["fremont_rsvp"].pk]
    response = dana.post(
        "/admin/events/rsvp/",
        {"action": "export_rsvps_csv", helpers.ACTION_CHECKBOX_NAME: [str(i) for i in ids]},
    )
    exported = b"".join(response.streaming_content).decode()
    assert "indy" in exported and "Khan" in exported
    assert "fremont" not in exported and "Zafar" not in exported
