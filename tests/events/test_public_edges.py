"""Events' public edge as the probe met it: one address holding a dinner's seats with a few
ticket orders, and a NUL byte in the door's search."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client, override_settings

from events.models import TicketHold
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(stripe_on, organization):
    stripe_on.sessions.clear()
    event = factories.make_event(name="Indianapolis Dinner", slug="indy-dinner", capacity=180)
    table = factories.make_ticket_type(
        event, name="Table", price=Decimal("1500.00"), fair_market_value=Decimal("60.00"),
        seats=10,
    )  # fmt: skip
    seat = factories.make_ticket_type(
        event, name="Seat", price=Decimal("150.00"), fair_market_value=Decimal("60.00")
    )
    return event, table, seat


def _buy(client, ticket, *, quantity, email, forwarded="", **fields):
    data = {"ticket_type": ticket.pk, "quantity": str(quantity), "first_name": "Farah",
            "last_name": "Iqbal", "email": email, **fields}  # fmt: skip
    return client.post("/events/indy-dinner/tickets/", data, HTTP_X_FORWARDED_FOR=forwarded)


def _held_seats() -> int:
    return sum(TicketHold.objects.values_list("seats", flat=True))


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_one_address_cannot_hold_most_of_a_dinner_with_a_few_orders(dinner):
    _, table, _ = dinner
    client = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [
        _buy(client, table, quantity=2 if n < 6 else 5, email=f"buyer{n}@example.org",
             forwarded=f"198.51.100.{n}").status_code
        for n in range(7)
    ]  # fmt: skip

    # The probe held 170 of 180 seats this way for 46 minutes.
    assert statuses == [303] + [409] * 6
    assert _held_seats() == 20


def test_one_buyer_cannot_hold_more_than_the_limit_from_several_addresses(dinner):
    _, table, seat = dinner

    first = _buy(Client(REMOTE_ADDR="198.51.100.1"), table, quantity=2, email="a@example.org")
    second = _buy(Client(REMOTE_ADDR="198.51.100.2"), seat, quantity=1, email="A@example.org")
    other = _buy(Client(REMOTE_ADDR="198.51.100.3"), seat, quantity=1, email="b@example.org")

    assert (first.status_code, second.status_code, other.status_code) == (303, 409, 303)
    assert "At most 20 tickets or seats can wait for payment at once" in second.content.decode()
    assert _held_seats() == 21


def test_declined_tickets_count_against_the_limit_too(dinner):
    _, _, seat = dinner
    client = Client(REMOTE_ADDR="198.51.100.1")

    first = _buy(client, seat, quantity=20, email="a@example.org", benefit_declined="on")
    second = _buy(client, seat, quantity=1, email="a@example.org", benefit_declined="on")

    assert (first.status_code, second.status_code) == (303, 409)


def test_control_characters_in_the_ticket_form_are_refused_with_a_message(dinner):
    _, _, seat = dinner

    response = _buy(Client(), seat, quantity=1, email="a@example.org", first_name="Fa\x00rah")
    other = _buy(Client(), seat, quantity=1, email="a@example.org", last_name="Iq\x1fbal")

    assert response.status_code == other.status_code == 400
    assert "Remove the control character U+001F" in other.content.decode()
    assert not TicketHold.objects.exists()


def test_a_nul_byte_in_the_door_search_is_a_message_not_a_500(client, organizer):
    factories.make_event(slug="door", capacity=20, organizers=[organizer])
    client.force_login(organizer)

    page = client.get("/events/door/check-in/?q=%00")
    search = client.get("/events/door/check-in/search/?q=%00")

    assert page.status_code == 200
    assert search.status_code == 400
    assert search.json()["error"] == "Remove a NUL byte: it cannot be stored or printed."
    assert search.json()["results"] == []
