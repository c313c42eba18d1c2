"""The guest's pages (the public event page and the invitation link), read as a guest: how to
come (RSVP or tickets) is explained at the top with links down to each, an invited guest's
answer comes first, a failed form lands on its errors, and a full event says so everywhere."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from donors.models import Gift
from events.models import RSVP
from events.services import event_save, invitations_create, rsvp_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(organization):
    event = factories.make_event(name="Indianapolis Dinner", slug="indy-dinner", capacity=6)
    factories.make_ticket_type(
        event, name="Dinner seat", price=Decimal("150.00"), fair_market_value=Decimal("60.00"),
        quantity=20,
    )  # fmt: skip
    return event


def _page(client, path="/events/indy-dinner/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _invite(event, **donor_fields):
    return invitations_create(event=event, donors=[factories.make_donor(**donor_fields)])[0]


def _fill(event, seats: int) -> None:
    rsvp_submit(event=event, donor=factories.make_donor(), answer="yes", party_size=seats)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_top_explains_rsvp_and_tickets_with_the_real_deductible_part_and_links_to_both(
    client, dinner
):
    page = _page(client)
    top = page[page.index('id="ways-to-come"') : page.index('id="tickets"')]

    assert "RSVP is free: it tells us you’re coming." in _text(top)
    assert "Answering “yes” charges nothing, and no payment is owed for it." in _text(top)
    # $150 less the $60 dinner: the same figure the ticket's own statement gives below.
    assert "Tickets pay for your seat; $90.00 of each $150.00 ticket is tax-deductible." in (
        _text(top)
    )
    assert "limited to the payment minus that value: $90.00" in page
    assert "If you buy tickets you need not RSVP as well: your tickets keep your seats." in top
    assert 'href="#rsvp-form" id="jump-rsvp"' in top
    assert 'href="#tickets" id="jump-tickets"' in top
    # The links lead somewhere on the page, and the explanation comes before both.
    assert page.index('id="ways-to-come"') < page.index('id="tickets"')
    assert page.index('id="tickets"') < page.index('id="rsvp-form"')


def test_an_rsvp_yes_on_a_ticketed_event_charges_nothing_as_the_page_says(client, dinner):
    invitation = _invite(dinner, email="ayesha@example.org")

    response = client.post(
        f"/rsvp/{invitation.token}/",
        {"answer": "yes", "party_size": "2", "guest_names": "Omar", "dietary_needs": ""},
    )

    assert "You are confirmed for Indianapolis Dinner, party of 2." in response.content.decode()
    assert not Gift.objects.exists()
    assert not dinner.ticket_purchases.exists()


def test_several_ticket_types_each_give_their_price_and_deductible_part_at_the_top(client, dinner):
    factories.make_ticket_type(
        dinner, name="Table of 10", price=Decimal("2500"), fair_market_value=Decimal("62.50"),
        seats=10,
    )  # fmt: skip
    factories.make_ticket_type(
        dinner, name="Guest of honor", price=Decimal("0"), fair_market_value=Decimal("0")
    )

    top = _text(_page(client).split('id="tickets"')[0])

    assert (
        "Tickets pay for your seat: Dinner seat, $150.00, of which $90.00 is tax-deductible; "
        "Table of 10, $2,500.00 for 10 seats, of which $1,875.00 is tax-deductible."
    ) in top
    assert "Guest of honor" not in top  # free: not sold, so not explained as a ticket


def test_an_event_without_tickets_explains_only_the_rsvp(client, organization):
    factories.make_event(slug="picnic", name="Picnic")

    page = _page(client, "/events/picnic/")

    assert "RSVP is free: it tells us you’re coming." in _text(page)
    assert "charges nothing" not in page
    assert 'id="tickets-explained"' not in page
    assert 'id="jump-tickets"' not in page
    assert 'id="jump-rsvp"' in page


def test_a_closed_event_says_so_at_the_top_instead_of_linking_to_a_form(client, dinner):
    dinner.rsvp_deadline = timezone.now() - datetime.timedelta(hours=1)
    event_save(event=dinner)

    page = _page(client)

    assert 'id="jump-rsvp"' not in page
    assert 'id="rsvp-form"' not in page
    assert re.search(r'id="jump-closed">RSVPs closed on ', page)


def test_a_failed_public_rsvp_comes_back_at_the_form_with_its_errors_first(client, dinner):
    response = client.post(
        "/events/indy-dinner/",
        {"first_name": "", "last_name": "Raza", "email": "nope", "answer": "yes",
         "party_size": "1"},
    )  # fmt: skip

    page = response.content.decode()
    form = page[page.index('id="rsvp-form"') :]
    # Posted to "#rsvp-form": the browser shows the answer scrolled to the form.
    assert '<form method="post" action="#rsvp-form" class="card" id="rsvp-form"' in page
    summary = re.search(
        r'<div class="error-summary" id="form-errors"([^>]*)>(.*?)</div>', form, re.S
    )
    assert 'role="alert"' in summary[1] and "autofocus" in summary[1]
    assert "Your answer was not sent: please fix these and try again." in summary[2]
    assert '<a href="#id_first_name">First name</a>: This field is required.' in summary[2]
    assert '<a href="#id_email">Email</a>: Enter a valid email address.' in summary[2]
    # The summary is the first thing in the form, before any field.
    assert form.index('id="form-errors"') < form.index('name="first_name"')
    assert page.count("autofocus") == 1
    assert not RSVP.objects.exists()


def test_an_invited_guests_refused_answer_comes_back_at_the_form_too(client, dinner):
    invitation = _invite(dinner)
    _fill(dinner, 4)
    rsvp_submit(event=dinner, donor=invitation.donor, answer="yes", party_size=2)

    response = client.post(
        f"/rsvp/{invitation.token}/",
        {"answer": "yes", "party_size": "4", "guest_names": "", "dietary_needs": ""},
    )

    page = response.content.decode()
    summary = page[page.index('id="form-errors"') :]
    assert "Only 2 seats can be yours: your party of 2 stays confirmed." in summary
    assert '<a href="#id_party_size">How many of you, yourself included</a>' in summary
    assert 'action="#rsvp-form"' in page


def test_a_failed_ticket_purchase_comes_back_at_the_ticket_form_with_its_errors_first(
    client, dinner
):
    seat = dinner.ticket_types.get()

    response = client.post(
        "/events/indy-dinner/tickets/",
        {"ticket_type": seat.pk, "quantity": "2", "first_name": "Farah", "last_name": "Iqbal",
         "email": "farah@example.org", "daf": "on"},
    )  # fmt: skip

    assert response.status_code == 400
    page = response.content.decode()
    assert 'action="/events/indy-dinner/tickets/#ticket-form" id="ticket-form"' in page
    form = page[page.index('id="ticket-form"') :]
    summary = re.search(
        r'<div class="error-summary" id="ticket-errors"([^>]*)>(.*?)</div>', form, re.S
    )
    assert 'role="alert"' in summary[1] and "autofocus" in summary[1]
    assert "Nothing was charged: please fix this and try again." in summary[2]
    assert "DAF money cannot pay for tickets" in summary[2]
    assert form.index('id="ticket-errors"') < form.index('name="ticket_type"')
    # Only the failed form takes the focus: the RSVP form below is untouched.
    assert page.count("autofocus") == 1
    assert 'id="form-errors"' not in page


def test_a_full_event_says_so_at_the_top_by_each_ticket_and_in_the_rsvp_form(client, dinner):
    _fill(dinner, 4)
    _fill(dinner, 2)

    page = _page(client)

    assert "This event is full." in page[: page.index('id="tickets"')]
    assert "You can still answer “yes”: it puts you on the waitlist" in page
    assert "Tickets are no longer on sale." in page
    assert "Event full" in page[page.index('id="tickets"') :]
    assert "left)" not in page  # no "(14 left)" for a ticket nobody can buy
    assert 'id="ticket-form"' not in page
    assert "Yes, put me on the waitlist" in page
    assert "Yes, I will come" not in page
    assert 'The event is full: a "yes" joins the waitlist.' in page
    assert "your tickets keep your seats" not in page


def test_a_full_event_refuses_tickets_posted_anyway(client, dinner, stripe_on):
    _fill(dinner, 4)
    _fill(dinner, 2)
    seat = dinner.ticket_types.get()

    response = client.post(
        "/events/indy-dinner/tickets/",
        {"ticket_type": seat.pk, "quantity": "1", "first_name": "Farah", "last_name": "Iqbal",
         "email": "farah@example.org"},
    )  # fmt: skip

    assert response.status_code == 409
    page = response.content.decode()
    assert "This event is full: no seats are left, so tickets are no longer on sale." in page
    assert "This event is full. " in _text(page[: page.index('id="tickets"')])


def test_a_full_event_says_so_on_the_invitation_page_without_a_buy_link(client, dinner):
    invitation = _invite(dinner)
    _fill(dinner, 4)
    _fill(dinner, 2)

    page = _page(client, f"/rsvp/{invitation.token}/")

    assert "This event is full." in page
    assert "Event full" in page
    assert 'id="buy-link"' not in page
    assert "Yes, put me on the waitlist" in page

    response = client.post(
        f"/rsvp/{invitation.token}/",
        {"answer": "yes", "party_size": "1", "guest_names": "", "dietary_needs": ""},
    )
    assert "you are on the waitlist for a party of 1" in response.content.decode()


def test_a_confirmed_guest_of_a_full_event_keeps_a_plain_yes(client, dinner):
    invitation = _invite(dinner)
    rsvp_submit(event=dinner, donor=invitation.donor, answer="yes", party_size=2)
    _fill(dinner, 4)

    page = _page(client, f"/rsvp/{invitation.token}/")

    assert "This event is full." in page
    assert "Yes, I will come" in page  # their seats are theirs: a yes keeps them
    assert "Yes, put me on the waitlist" not in page


def test_with_guests_waiting_a_yes_is_said_to_join_the_waitlist_even_with_seats_left(
    client, dinner
):
    _fill(dinner, 4)
    _fill(dinner, 3)  # waits: only 2 seats are left

    page = _page(client)

    assert "This event is full." not in page
    assert "Other guests are waiting for the seats left" in page
    assert "Yes, put me on the waitlist" in page


def test_an_invited_guest_sees_their_answer_first_with_a_link_to_change_it(client, dinner):
    invitation = _invite(dinner, first_name="Ayesha", last_name="Khan")
    rsvp_submit(
        event=dinner, donor=invitation.donor, answer="yes", party_size=2, guest_names="Omar Khan"
    )

    page = _page(client, f"/rsvp/{invitation.token}/")

    answer = page.index('id="current-answer"')
    assert answer < page.index("<h1>Indianapolis Dinner</h1>") < page.index('id="tickets"')
    card = _text(page[answer : page.index("<h1>")])
    assert "Your answer: Yes, I will come, party of 2." in card
    assert "Your guests: Omar Khan" in card
    assert 'href="#rsvp-form" id="change-answer">Change your answer</a>' in page
    assert 'id="rsvp-form"' in page


def test_an_invited_guest_who_has_not_answered_is_asked_first(client, dinner):
    invitation = _invite(dinner)

    page = _page(client, f"/rsvp/{invitation.token}/")

    assert "You have not answered yet." in page
    assert 'href="#rsvp-form" id="change-answer">Answer now</a>' in page


def test_after_the_deadline_the_invited_guest_sees_their_answer_and_no_change_link(client, dinner):
    invitation = _invite(dinner)
    rsvp_submit(event=dinner, donor=invitation.donor, answer="maybe")
    dinner.rsvp_deadline = timezone.now() - datetime.timedelta(hours=1)
    event_save(event=dinner)

    page = _page(client, f"/rsvp/{invitation.token}/")

    assert "Your answer: <strong>Maybe</strong>" in page
    assert 'id="change-answer"' not in page
    assert "RSVPs closed on" in page[: page.index("<h1>")]


def test_a_no_keeps_no_guest_names_or_needs_from_the_invitation_page(client, dinner):
    invitation = _invite(dinner)
    rsvp_submit(
        event=dinner, donor=invitation.donor, answer="yes", party_size=2,
        guest_names="Omar Khan", dietary_needs="vegetarian",
    )  # fmt: skip

    # A browser without the page's script still sends what was typed in the hidden fields.
    client.post(
        f"/rsvp/{invitation.token}/",
        {"answer": "no", "party_size": "2", "guest_names": "Omar Khan",
         "dietary_needs": "vegetarian"},
    )  # fmt: skip

    rsvp = RSVP.objects.get(donor=invitation.donor)
    assert (rsvp.answer, rsvp.party_size, rsvp.guest_names, rsvp.dietary_needs) == ("no", 1, "", "")
    page = _page(client, f"/rsvp/{invitation.token}/")
    assert "Omar Khan" not in page
    assert "Your answer: <strong>No, I cannot come</strong>." in page


def test_a_no_from_the_public_page_keeps_no_guest_names_either(client, dinner):
    client.post(
        "/events/indy-dinner/",
        {"first_name": "Bilal", "last_name": "Raza", "email": "bilal@example.org",
         "answer": "no", "party_size": "3", "guest_names": "Sana Raza", "dietary_needs": "nuts"},
    )  # fmt: skip
    [link] = re.findall(r"http://[^/]+(/events/indy-dinner/confirm/\S+/)", mail.outbox[-1].body)
    assert "Sana Raza" not in mail.outbox[-1].body

    client.post(link)

    rsvp = RSVP.objects.get(event=dinner)
    assert (rsvp.answer, rsvp.guest_names, rsvp.dietary_needs) == ("no", "", "")


def test_the_party_fields_sit_in_one_block_the_page_script_hides_on_a_no(client, dinner):
    page = _page(client)
    form = page[page.index('id="rsvp-form"') : page.index("</form>", page.index('id="rsvp-form"'))]
    party = form[form.index('id="party-fields"') :]

    for name in ("party_size", "guest_1_dietary", "guest_2_name", "guest_2_dietary"):
        assert f'name="{name}"' in party
    for name in ("first_name", "email", "answer"):
        assert f'name="{name}"' not in party
    # The script is a static file: the Content-Security-Policy allows no inline script.
    assert '<script src="/static/events/rsvp.js" defer></script>' in page
    assert "<script>" not in page and "style=" not in page


def test_no_two_elements_of_the_public_page_share_an_id(client, dinner):
    # The ticket and RSVP forms both ask a first name, last name and email: each label, and
    # each error's link, must lead to its own form's field.
    page = _page(client)
    ids = re.findall(r'\sid="([^"]+)"', page)

    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert '<label for="id_ticket_email">Email</label>' in page
    assert '<label for="id_email">Email</label>' in page
