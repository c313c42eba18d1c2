"""Every RSVP path, through the pages a guest uses."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from donors.models import Donor, DonorEmail
from events.models import RSVP, Invitation
from events.services import invitations_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organization, organizer):
    return factories.make_event(
        name="Indianapolis Dinner", slug="indy-dinner", capacity=6, organizers=[organizer]
    )


def _invite(event, **donor_fields):
    donor = factories.make_donor(**donor_fields)
    return invitations_create(event=event, donors=[donor])[0]


def _answer(client, invitation, **data):
    payload = {"answer": "yes", "party_size": "1", "guest_names": "", "dietary_needs": ""}
    payload.update({k: str(v) for k, v in data.items()})
    return client.post(f"/rsvp/{invitation.token}/", payload)


def test_invitation_link_shows_the_event_and_records_a_yes_with_guests(client, event):
    invitation = _invite(event, first_name="Ayesha", last_name="Khan", email="ayesha@example.org")

    page = client.get(f"/rsvp/{invitation.token}/")
    assert page.status_code == 200
    assert "Indianapolis Dinner" in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = _answer(
        client, invitation, party_size=2, guest_names="Omar Khan", dietary_needs="vegetarian"
    )

    assert response.status_code == 200
    assert "You are confirmed for Indianapolis Dinner, party of 2" in response.content.decode()
    rsvp = RSVP.objects.get(event=event, donor=invitation.donor)
    assert (rsvp.answer, rsvp.party_size, rsvp.guest_names, rsvp.dietary_needs) == (
        "yes",
        2,
        "Omar Khan",
        "vegetarian",
    )
    assert rsvp.invitation == invitation
    [email] = mail.outbox
    assert email.to == ["ayesha@example.org"]
    assert email.subject == "See you there: Indianapolis Dinner"
    assert "party of 2" in email.body
    assert f"/rsvp/{invitation.token}/" in email.body


def _confirm_link(message) -> str:
    [path] = re.findall(r"http://[^/]+(/events/[\w-]+/confirm/\S+/)", message.body)
    return path


def test_public_page_answers_by_the_emailed_link_for_a_new_email_and_a_known_one(client, event):
    known = factories.make_donor(first_name="Sara", last_name="Ahmed", email="sara@example.org")
    data = {"answer": "maybe", "party_size": "1", "guest_names": "", "dietary_needs": ""}

    first = client.post(
        "/events/indy-dinner/",
        {**data, "first_name": "S.", "last_name": "Ahmed", "email": "SARA@example.org "},
    )
    second = client.post(
        "/events/indy-dinner/",
        {**data, "first_name": "Bilal", "last_name": "Raza", "email": "bilal@example.org"},
    )

    # Nothing is recorded, and no donor made, until the emailed link is used.
    assert "Check your email" in first.content.decode()
    assert "Check your email" in second.content.decode()
    assert not RSVP.objects.exists()
    assert not DonorEmail.objects.filter(email="bilal@example.org").exists()
    to_sara, to_bilal = mail.outbox
    assert (to_sara.to, to_bilal.to) == (["sara@example.org"], ["bilal@example.org"])
    assert to_sara.subject == "Confirm your answer: Indianapolis Dinner"
    assert client.get(_confirm_link(to_bilal)).status_code == 200
    assert not RSVP.objects.exists()  # opening the link (a mail scanner does) records nothing

    client.post(_confirm_link(to_sara))
    response = client.post(_confirm_link(to_bilal))

    assert response.status_code == 200
    assert "You answered maybe" in response.content.decode()
    assert RSVP.objects.get(event=event, donor=known).answer == "maybe"
    new = DonorEmail.objects.get(email="bilal@example.org").donor
    assert new.display_name == "Bilal Raza"
    assert RSVP.objects.filter(event=event).count() == 2
    assert Donor.objects.filter(emails__email="sara@example.org").count() == 1
    # Each public guest gets a private link to change their answer, in the confirmation.
    link = Invitation.objects.get(event=event, donor=new).token
    assert f"/rsvp/{link}/" in mail.outbox[-1].body


def test_public_page_explains_bad_input_without_saving(client, event):
    response = client.post(
        "/events/indy-dinner/",
        {
            "first_name": "",
            "last_name": "Raza",
            "email": "not-an-email",
            "answer": "perhaps",
            "party_size": "9",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "Select a valid choice. 9 is not one of the available choices." in body
    assert RSVP.objects.count() == 0


def test_answers_can_change_until_the_deadline_and_not_after(client, event):
    invitation = _invite(event)
    _answer(client, invitation, answer="yes", party_size=2)
    _answer(client, invitation, answer="no")
    rsvp = RSVP.objects.get(event=event)
    assert (rsvp.answer, rsvp.party_size) == ("no", 1)
    assert len(mail.outbox) == 2  # a confirmation follows every answer

    event.rsvp_deadline = timezone.now() - datetime.timedelta(minutes=1)
    event.save(update_fields=["rsvp_deadline"])
    page = client.get(f"/rsvp/{invitation.token}/")
    response = _answer(client, invitation, answer="yes")

    assert "RSVPs closed on" in page.content.decode()
    assert 'id="rsvp-form"' not in page.content.decode()
    assert "RSVPs closed on" in response.content.decode()
    assert RSVP.objects.get(event=event).answer == "no"
    assert len(mail.outbox) == 2


def test_public_page_after_the_deadline_takes_no_answer(client, event):
    event.rsvp_deadline = timezone.now() - datetime.timedelta(hours=1)
    event.save(update_fields=["rsvp_deadline"])

    response = client.post(
        "/events/indy-dinner/",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "ab@example.org",
            "answer": "yes",
            "party_size": "1",
        },
    )

    assert "RSVPs closed on" in response.content.decode()
    assert RSVP.objects.count() == 0


def test_party_larger_than_the_limit_is_refused(client, event):
    invitation = _invite(event)

    response = _answer(client, invitation, party_size=5)

    assert "Select a valid choice. 5 is not one of the available choices." in (
        response.content.decode()
    )
    assert not RSVP.objects.exists()


def test_when_full_a_yes_joins_the_waitlist_in_order(client, event):
    first, second, third = (_invite(event) for _ in range(3))
    _answer(client, first, party_size=4)
    waiting = _answer(client, second, party_size=3)
    _answer(client, third, party_size=1)

    assert "you are on the waitlist for a party of 3" in waiting.content.decode()
    rows = {r.donor_id: r for r in RSVP.objects.filter(event=event)}
    assert rows[first.donor_id].waitlist_position is None
    # The small party behind fits the two free seats but does not jump the queue.
    assert rows[second.donor_id].waitlist_position < rows[third.donor_id].waitlist_position
    assert mail.outbox[1].subject == "You are on the waitlist: Indianapolis Dinner"


def test_a_cancellation_promotes_the_next_in_line_and_emails_them(client, event):
    first, second, third = (_invite(event) for _ in range(3))
    _answer(client, first, party_size=4)
    _answer(client, second, party_size=3)
    _answer(client, third, party_size=2)
    mail.outbox.clear()

    _answer(client, first, answer="no")

    rows = {r.donor_id: r for r in RSVP.objects.filter(event=event)}
    assert rows[second.donor_id].confirmed
    assert rows[third.donor_id].confirmed  # 3 + 2 fit the 6 seats
    promoted = {m.to[0]: m for m in mail.outbox if "seat opened up" in m.body}
    second_email = second.donor.emails.get().email
    assert set(promoted) == {second_email, third.donor.emails.get().email}
    assert promoted[second_email].subject == "See you there: Indianapolis Dinner"


def test_a_confirmed_guest_cannot_grow_past_the_capacity(client, event):
    first, second = _invite(event), _invite(event)
    _answer(client, first, party_size=4)
    _answer(client, second, party_size=2)

    response = _answer(client, second, party_size=3)

    assert "Only 2 seats can be yours: your party of 2 stays confirmed." in (
        response.content.decode()
    )
    assert RSVP.objects.get(donor=second.donor).party_size == 2


def test_a_bad_token_is_a_friendly_404(client, event):
    response = client.get("/rsvp/not-a-real-token/")
    post = client.post("/rsvp/not-a-real-token/", {"answer": "yes", "party_size": "1"})

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert post.status_code == 404
    assert not RSVP.objects.exists()


def test_a_reused_link_changes_the_same_answer_and_never_makes_a_second(client, event):
    invitation = _invite(event)

    _answer(client, invitation, answer="yes", party_size=2)
    again = client.get(f"/rsvp/{invitation.token}/")
    _answer(client, invitation, answer="maybe")

    assert "Your answer: <strong>Yes, I will come</strong>, party of 2" in again.content.decode()
    assert RSVP.objects.filter(event=event).count() == 1
    assert RSVP.objects.get(event=event).answer == "maybe"


def test_a_link_to_a_draft_event_does_not_work(client, event):
    invitation = _invite(event)
    event.status = "draft"
    event.save(update_fields=["status"])

    assert client.get(f"/rsvp/{invitation.token}/").status_code == 404
    assert client.get("/events/indy-dinner/").status_code == 404


def test_tokens_are_long_and_unguessable(event):
    tokens = {_invite(event).token for _ in range(5)}

    assert len(tokens) == 5
    assert all(len(t) >= 32 for t in tokens)


def test_public_form_is_rate_limited(client, event):
    data = {
        "first_name": "A",
        "last_name": "B",
        "email": "ab@example.org",
        "answer": "no",
        "party_size": "1",
    }
    statuses = [client.post("/events/indy-dinner/", data).status_code for _ in range(11)]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Too many tries" in client.post("/events/indy-dinner/", data).content.decode()
    # One address is emailed a few links an hour, however often it is typed.
    assert len(mail.outbox) == 3


def test_the_confirmation_task_sends_once_per_answer(client, event):
    from events.services import rsvp_confirmation_send

    invitation = _invite(event)
    _answer(client, invitation)
    rsvp = RSVP.objects.get()

    assert rsvp_confirmation_send(rsvp_id=rsvp.pk) is False  # a retry sends nothing more
    assert len(mail.outbox) == 1


def test_deleting_an_answer_in_the_admin_gives_its_seats_to_the_waitlist(client, organizer, event):
    first, second = _invite(event), _invite(event)
    _answer(client, first, party_size=4)
    _answer(client, second, party_size=4)
    mail.outbox.clear()
    held = RSVP.objects.get(donor=first.donor)
    client.force_login(organizer)

    confirm = client.get(f"/admin/events/rsvp/{held.pk}/delete/")
    response = client.post(f"/admin/events/rsvp/{held.pk}/delete/", {"post": "yes"})

    assert "Are you sure" in confirm.content.decode()
    assert response.status_code == 302
    assert RSVP.objects.get(donor=second.donor).confirmed
    [email] = mail.outbox
    assert email.to == [second.donor.emails.get().email]
    assert "a seat opened up" in email.body


def test_bulk_deleting_answers_in_the_admin_promotes_too(client, organizer, event):
    first, second = _invite(event), _invite(event)
    _answer(client, first, party_size=4)
    _answer(client, second, party_size=4)
    client.force_login(organizer)

    client.post(
        "/admin/events/rsvp/",
        {
            "action": "delete_selected",
            "_selected_action": [RSVP.objects.get(donor=first.donor).pk],
            "post": "yes",
        },
    )

    assert list(RSVP.objects.values_list("donor_id", "waitlist_position")) == [
        (second.donor_id, None)
    ]


def test_typing_someone_elses_email_never_changes_their_answer(client, event):
    invitation = _invite(event, email="ayesha@example.org")
    _answer(client, invitation, answer="yes", party_size=2)
    mail.outbox.clear()

    response = client.post(
        "/events/indy-dinner/",
        {
            "first_name": "Not",
            "last_name": "Ayesha",
            "email": "ayesha@example.org",
            "answer": "no",
            "party_size": "1",
        },
    )

    assert "Check your email" in response.content.decode()
    rsvp = RSVP.objects.get(event=event)
    assert (rsvp.answer, rsvp.party_size) == ("yes", 2)
    # Only the owner of the address learns of it, with their answer and their own link.
    [email] = mail.outbox
    assert email.to == ["ayesha@example.org"]
    assert f"/rsvp/{invitation.token}/" in email.body
    assert "You had already answered yes, for a party of 2" in email.body
    assert "nothing is recorded until the link is used" in email.body


def test_public_page_shows_each_tickets_deductible_share_and_what_is_left(
    client, organization, event
):
    from decimal import Decimal

    from donors.services import organization_save
    from events.services import event_save, ticket_purchase_record

    event.capacity = 50  # room left: the table is sold out, the event is not full
    event_save(event=event)
    org = organization
    org.ca_disclosure = "California law: the deductible share of this ticket is {deductible}."
    organization_save(organization=org)
    factories.make_ticket_type(
        event, name="Seat", price=Decimal("150"), fair_market_value=Decimal("62.50")
    )
    table = factories.make_ticket_type(
        event,
        name="Table of 10",
        price=Decimal("2500"),
        fair_market_value=Decimal("62.50"),
        seats=10,
        quantity=1,
    )
    factories.make_ticket_type(
        event, name="Sponsor", price=Decimal("1000"), fair_market_value=Decimal("0")
    )
    ticket_purchase_record(
        ticket_type=table,
        donor=factories.make_donor(),
        method="check",
        gift_date=datetime.date(2025, 3, 15),
    )

    body = client.get("/events/indy-dinner/").content.decode()

    assert "California law: the deductible share of this ticket is $87.50." in body
    assert "California law: the deductible share of this ticket is $1,875.00." in body
    assert "limited to the payment minus that value: $87.50" in body
    assert "No goods or services are provided in exchange: the whole $1,000.00 is deductible." in (
        body
    )
    assert "<strong>Table of 10</strong>: $2,500.00 for 10 seats" in body
    assert "Sold out" in body
