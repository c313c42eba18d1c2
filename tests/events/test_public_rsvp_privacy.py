"""The event's public RSVP form tells a stranger nothing and lets nobody answer for someone
else: an answer given there counts only once the emailed link is used."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from donors.models import Donor
from events.models import RSVP
from events.services import (
    PublicLinkExpired,
    invitations_create,
    rsvp_confirm_public,
    rsvp_submit,
)
from tests import factories

pytestmark = pytest.mark.django_db

PRODUCTION_PROXY_HEADER = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


@pytest.fixture
def event(organization, organizer):
    return factories.make_event(
        name="Indianapolis Dinner", slug="indy-dinner", capacity=180, organizers=[organizer]
    )


def _form(email, **fields):
    return {"first_name": "A", "last_name": "Stranger", "email": email, "answer": "no",
            "party_size": "1", "guest_2_name": "", "guest_1_dietary": "", **fields}  # fmt: skip


def _link(message) -> str:
    [path] = re.findall(r"http://[^/]+(/events/indy-dinner/confirm/\S+/)", message.body)
    return path


def _page(response, email) -> str:
    """The page without what differs between any two requests (the CSRF token, the address
    typed)."""
    text = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_the_public_form_answers_a_stranger_the_same_whoever_the_email_belongs_to(client, event):
    answered = factories.make_donor(email="ayesha@example.org")
    rsvp_submit(event=event, donor=answered, answer="yes", party_size=2)
    factories.make_donor(email="omar@example.org")  # a donor who has not answered
    mail.outbox.clear()

    pages = [
        client.post("/events/indy-dinner/", _form(email))
        for email in ("ayesha@example.org", "omar@example.org", "nobody@example.org")
    ]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert len({_page(p, e) for p, e in zip(pages, ("ayesha@example.org", "omar@example.org",
                                                    "nobody@example.org"), strict=True)}) == 1  # fmt: skip
    assert "Check your email" in pages[0].content.decode()


def test_a_stranger_cannot_answer_for_a_donor_who_has_not_answered(client, event):
    omar = factories.make_donor(email="omar@example.org")

    client.post("/events/indy-dinner/", _form("omar@example.org", answer="no"))

    assert not RSVP.objects.filter(donor=omar).exists()
    [email] = mail.outbox
    assert email.to == ["omar@example.org"]
    assert "If it was not you, there is nothing to do" in email.body


def test_a_stranger_cannot_change_the_answer_of_a_donor_who_has(client, event):
    ayesha = factories.make_donor(email="ayesha@example.org")
    rsvp_submit(event=event, donor=ayesha, answer="yes", party_size=2)

    client.post("/events/indy-dinner/", _form("ayesha@example.org", answer="no"))

    rsvp = RSVP.objects.get(donor=ayesha)
    assert (rsvp.answer, rsvp.party_size) == ("yes", 2)


def test_the_owner_of_the_address_confirms_and_a_second_use_of_the_link_changes_nothing(
    client, event
):
    client.post("/events/indy-dinner/", _form("bilal@example.org", answer="yes", party_size="3",
                                              first_name="Bilal", last_name="Raza"))  # fmt: skip
    link = _link(mail.outbox[-1])

    page = client.get(link)
    done = client.post(link)
    again = client.post(link)

    assert "Bilal Raza" in page.content.decode() and "party of 3" in page.content.decode()
    assert "You are confirmed for Indianapolis Dinner, party of 3" in done.content.decode()
    assert "Already recorded" in again.content.decode()
    rsvp = RSVP.objects.get()
    assert (rsvp.donor.display_name, rsvp.answer, rsvp.party_size) == ("Bilal Raza", "yes", 3)
    assert Donor.objects.count() == 1


def test_a_link_superseded_by_a_later_answer_changes_nothing(client, event):
    ayesha = factories.make_donor(email="ayesha@example.org")
    [invitation] = invitations_create(event=event, donors=[ayesha])
    client.post("/events/indy-dinner/", _form("ayesha@example.org", answer="no"))
    link = _link(mail.outbox[-1])
    client.post(f"/rsvp/{invitation.token}/", {"answer": "yes", "party_size": "2"})

    response = client.post(link)

    assert "Already recorded" in response.content.decode()
    assert RSVP.objects.get(donor=ayesha).answer == "yes"


def test_a_tampered_or_other_events_link_records_nothing(client, event):
    factories.make_event(name="Fremont Dinner", slug="fremont", organizers=[])
    client.post("/events/indy-dinner/", _form("bilal@example.org", answer="yes"))
    link = _link(mail.outbox[-1])
    link_id = link.split("/")[-2]
    other_id = link_id[:-1] + ("A" if link_id[-1] != "A" else "B")

    tampered = client.post(link.replace(link_id, other_id))
    elsewhere = client.post(f"/events/fremont/confirm/{link_id}/")
    nul = client.get("/events/indy-dinner/confirm/abc%00def/")

    assert (tampered.status_code, elsewhere.status_code, nul.status_code) == (404, 404, 404)
    assert not RSVP.objects.exists() and not Donor.objects.exists()


def test_a_link_older_than_three_days_has_expired(client, event):
    client.post("/events/indy-dinner/", _form("bilal@example.org", answer="yes"))
    link_id = _link(mail.outbox[-1]).split("/")[-2]
    four_days_on = timezone.now() + datetime.timedelta(days=4)

    with pytest.raises(PublicLinkExpired):
        rsvp_confirm_public(event=event, link_id=link_id, now=four_days_on)
    assert not RSVP.objects.exists() and not Donor.objects.exists()


def test_a_link_the_site_has_forgotten_says_it_does_not_work(client, event):
    client.post("/events/indy-dinner/", _form("bilal@example.org", answer="yes"))
    cache.clear()  # as the cache does a day after the link expired

    response = client.post(_link(mail.outbox[-1]))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not RSVP.objects.exists()


def test_no_email_address_or_name_travels_in_the_link(client, event):
    client.post("/events/indy-dinner/", _form("bilal.raza@example.org", first_name="Bilal"))
    link = _link(mail.outbox[-1])

    # Links end up in access logs, browser histories and mail scanners: only a random id.
    assert re.fullmatch(r"/events/indy-dinner/confirm/[A-Za-z0-9_-]{32}/", link)


def test_a_link_used_after_the_deadline_records_nothing(client, event):
    client.post("/events/indy-dinner/", _form("bilal@example.org", answer="yes"))
    event.rsvp_deadline = timezone.now() - datetime.timedelta(minutes=1)
    event.save(update_fields=["rsvp_deadline"])

    response = client.post(_link(mail.outbox[-1]))

    assert "RSVPs closed on" in response.content.decode()
    assert not RSVP.objects.exists()


@override_settings(**PRODUCTION_PROXY_HEADER)
def test_rotating_x_forwarded_for_no_longer_fills_the_dinner_with_made_up_guests(event):
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.post(
            "/events/indy-dinner/",
            _form(f"guest{n}@example.org", answer="yes", party_size="4"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(30)
    ]

    # The probe made 30 donors and 120 confirmed seats in 1.2 seconds this way.
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
    assert not Donor.objects.exists()
    assert not RSVP.objects.exists()
    assert len(mail.outbox) == 10


def test_one_address_is_emailed_a_few_links_an_hour_and_the_page_never_says_so(client, event):
    pages = [
        client.post("/events/indy-dinner/", _form("omar@example.org")).content.decode()
        for _ in range(5)
    ]

    assert len(mail.outbox) == 3
    assert all("Check your email" in page for page in pages)


def test_control_characters_in_the_rsvp_forms_are_refused_with_a_message(client, event):
    ayesha = factories.make_donor(email="ayesha@example.org")
    [invitation] = invitations_create(event=event, donors=[ayesha])

    public = client.post("/events/indy-dinner/", _form("x@example.org", last_name="Raza\x1b"))
    invited = client.post(
        f"/rsvp/{invitation.token}/",
        {"answer": "yes", "party_size": "1", "guest_1_dietary": "no nuts\x07"},
    )
    two_lines = client.post("/events/indy-dinner/", _form("x@example.org", first_name="A\nB"))

    assert "Remove the control character U+001B" in public.content.decode()
    assert "Remove the control character U+0007" in invited.content.decode()
    assert "Write this on one line" in two_lines.content.decode()
    assert not mail.outbox and not RSVP.objects.exists()


def test_a_nul_byte_in_an_invitation_link_is_a_friendly_404(client, event):
    response = client.get("/rsvp/abc%00def/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_the_confirmation_email_carries_none_of_the_words_typed(client, event):
    client.post(
        "/events/indy-dinner/",
        _form("victim@example.org", answer="yes", first_name="Visit spam.example",
              last_name="now", party_size="2", guest_2_name="Cheap pills",
              guest_1_dietary="call 555-0100"),
    )  # fmt: skip

    [email] = mail.outbox
    for typed in ("spam.example", "Cheap pills", "555-0100"):
        assert typed not in email.body and typed not in email.subject
    # The owner of the address sees them on the link's page before confirming.
    assert "Cheap pills" in client.get(_link(email)).content.decode()
