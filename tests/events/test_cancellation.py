"""Cancelling an event in the admin asks for confirmation, then emails everyone who said yes
or maybe, the waitlist and the ticket buyers, once each, however often it is saved."""

import datetime

import pytest
from django.core import mail

from donors.models import GiftMethod
from events.models import CancellationNotice, Event
from events.services import event_cancellation_notices_send, rsvp_submit, ticket_purchase_record
from events.tasks import cancellation_notices
from tests import factories
from tests.events.admin_forms import event_change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(organization, organizer):
    event = factories.make_event(name="Carmel Dinner", slug="carmel", capacity=4,
                                 organizers=[organizer])  # fmt: skip
    people = {}
    for key, answer, party in (
        ("yes", "yes", 3),
        ("waiting", "yes", 2),  # only one seat left: waits
        ("maybe", "maybe", 1),
        ("no", "no", 1),
    ):
        donor = factories.make_donor(first_name=key.title(), last_name="Guest",
                                     email=f"{key}@example.org")  # fmt: skip
        people[key] = rsvp_submit(event=event, donor=donor, answer=answer, party_size=party)
    assert people["waiting"].waitlist_position is not None
    buyer = factories.make_donor(first_name="Bea", last_name="Buyer", email="bea@example.org")
    ticket_purchase_record(
        ticket_type=factories.make_ticket_type(event),
        donor=buyer,
        quantity=1,
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2025, 3, 1),
        benefit_declined=True,
    )
    mail.outbox.clear()
    return event


def _cancel(client, event, **extra):
    return client.post(
        f"/admin/events/event/{event.pk}/change/",
        event_change_data(event, status="cancelled", **extra),
    )


def _cancellation_mail():
    return sorted((m.to[0], m.body) for m in mail.outbox if m.subject == "Cancelled: Carmel Dinner")


def test_cancelling_asks_for_confirmation_first(client, organizer, dinner):
    client.force_login(organizer)

    response = _cancel(client, dinner)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cancelling emails a cancellation notice to 4 guest(s) and ticket buyer(s)" in page
    dinner.refresh_from_db()
    assert dinner.status == "open"
    assert _cancellation_mail() == []


def test_the_organizer_cancels_and_each_guest_and_buyer_is_told_once(client, organizer, dinner):
    client.force_login(organizer)

    response = _cancel(client, dinner, confirm_cancellation="on")

    assert response.status_code == 302, response.content.decode()[:2000]
    dinner.refresh_from_db()
    assert dinner.status == "cancelled"
    sent = _cancellation_mail()
    assert [to for to, _ in sent] == [
        "bea@example.org",
        "maybe@example.org",
        "waiting@example.org",
        "yes@example.org",
    ]  # not the guest who said no
    bodies = dict(sent)
    assert "Carmel Dinner has been cancelled" in bodies["yes@example.org"]
    assert "will contact you about a refund" in bodies["bea@example.org"]
    assert "nothing is refunded automatically" in bodies["bea@example.org"]
    assert "refund" not in bodies["yes@example.org"]

    # Saved again (still cancelled), and the task run again: nobody hears twice.
    response = _cancel(client, dinner)
    assert response.status_code == 302
    assert cancellation_notices(dinner.pk) == 0
    assert len(_cancellation_mail()) == 4
    assert CancellationNotice.objects.filter(event=dinner).count() == 4


def test_cancelled_reopened_and_cancelled_again_tells_nobody_twice(client, staff, dinner):
    client.force_login(staff)
    data = {"money": True, "organizers": list(dinner.organizers.all())}
    assert _cancel(client, dinner, confirm_cancellation="on", **data).status_code == 302
    dinner.refresh_from_db()
    reopen = event_change_data(dinner, status="open", **data)
    assert client.post(f"/admin/events/event/{dinner.pk}/change/", reopen).status_code == 302
    late = factories.make_donor(first_name="Late", last_name="Guest", email="late@example.org")
    rsvp_submit(event=Event.objects.get(pk=dinner.pk), donor=late, answer="maybe")
    dinner.refresh_from_db()

    assert _cancel(client, dinner, confirm_cancellation="on", **data).status_code == 302

    sent = [to for to, _ in _cancellation_mail()]
    assert len(sent) == 5 and len(set(sent)) == 5
    assert "late@example.org" in sent


def test_an_event_not_cancelled_sends_no_notice(dinner):
    assert event_cancellation_notices_send(event_id=dinner.pk) == 0
    assert not CancellationNotice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_notices_at_once_tell_each_guest_once(postgres_only):
    """A retried task running beside the first: the second waits on the first's record of
    each send and sends nothing more."""
    import threading

    from django.db import connection

    factories.make_organization()
    event = factories.make_event(slug="race-cancel", capacity=50)
    for n in range(6):
        donor = factories.make_donor(email=f"guest{n}@example.org")
        rsvp_submit(event=event, donor=donor, answer="yes")
    Event.objects.filter(pk=event.pk).update(status="cancelled")  # no task queued here
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    errors = []

    def work():
        try:
            barrier.wait()
            event_cancellation_notices_send(event_id=event.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    sent = [m.to[0] for m in mail.outbox if m.subject.startswith("Cancelled:")]
    assert sorted(sent) == [f"guest{n}@example.org" for n in range(6)]
