"""The thank-you queue (/thanks/): every gift nobody has thanked yet, oldest first, those
waiting more than 48 hours marked; thanking by email or recording a letter or call takes the
gift off it. Administrators and Staff keep it; nobody else opens it."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common import roles
from compliance.models import Receipt
from donors.models import Gift
from donors.selectors import gifts_to_thank, gifts_to_thank_count
from tests import factories

pytestmark = pytest.mark.django_db
QUEUE = reverse("thanks_queue")


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def gift_recorded(hours_ago: float, **fields) -> Gift:
    gift = factories.make_gift(**fields)
    Gift.objects.filter(pk=gift.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    return Gift.objects.get(pk=gift.pk)


@pytest.fixture
def queue(organization):
    ayesha = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    omar = factories.make_donor(first_name="Omar", last_name="Malik", email="omar@example.org")
    return {
        "fresh": gift_recorded(2, donor=omar, amount=D("40.00")),
        "old": gift_recorded(72, donor=ayesha, amount=D("500.00")),
        "middle": gift_recorded(47, donor=omar, amount=D("75.00")),
        "refunded": gift_recorded(100, donor=omar, status="refunded", amount_refunded=D("100")),
    }


def ids(response) -> list[int]:
    return [g.pk for g in response.context["page"]]


def test_unthanked_gifts_oldest_first_with_the_48_hour_mark(client, staff, queue):
    client.force_login(staff)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert ids(response) == [queue["old"].pk, queue["middle"].pk, queue["fresh"].pk]
    html = response.content.decode()
    assert f'<article class="ask overdue" id="gift-{queue["old"].pk}">' in html
    assert f'<article class="ask" id="gift-{queue["middle"].pk}">' in html
    assert "3 gifts to thank" in html and "1 waiting more than 48 hours" in html
    # The staff home's figure is the list's.
    assert gifts_to_thank_count() == 3 == response.context["page"].paginator.count


def test_thank_by_email_sends_the_thank_you_and_takes_the_gift_off(
    client, staff, queue, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    old = queue["old"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("thanks_email", args=[old.pk]), {"q": "", "page": "1"})
    assert response.status_code == 302 and response["Location"] == QUEUE + "?page=1"
    [message] = mail.outbox
    assert message.to == ["ayesha@example.org"]
    assert "Thank you for your gift of $500.00" in message.body
    assert len(message.attachments) == 1
    old.refresh_from_db()
    assert (old.thanked_via, old.thanked_by) == ("email", staff)
    assert Receipt.objects.get(gift=old).issued_by == staff
    assert old.pk not in ids(client.get(QUEUE))
    entry = LogEntry.objects.get_for_object(old).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == staff

    # Clicked again from a stale page: said plainly, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("thanks_email", args=[old.pk]), follow=True)
    assert "already thanked by email" in response.content.decode()
    assert len(mail.outbox) == 1


def test_marking_a_letter_or_call_needs_confirmation(client, staff, queue):
    client.force_login(staff)
    middle = queue["middle"]
    url = reverse("thanks_mark", args=[middle.pk])
    page = client.get(url + "?q=Omar&page=1")
    assert page.status_code == 200
    assert "Omar Malik: $75.00" in page.content.decode()

    refused = client.post(url, {"via": "call"})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    middle.refresh_from_db()
    assert middle.thanked_at is None
    assert client.post(url, {"via": "fax", "confirm": "on"}).status_code == 400

    done = client.post(url, {"via": "call", "confirm": "on", "q": "Omar", "page": "1"})
    assert done.status_code == 302 and done["Location"] == QUEUE + "?q=Omar&page=1"
    middle.refresh_from_db()
    assert (middle.thanked_via, middle.thanked_by) == ("call", staff)
    assert mail.outbox == []  # a call sends nothing
    assert ids(client.get(QUEUE)) == [queue["old"].pk, queue["fresh"].pk]
    gift_page = client.get(reverse("admin:donors_gift_change", args=[middle.pk])).content.decode()
    assert "Thanked by call on " in gift_page and ", by bob." in gift_page
    fresh_page = client.get(reverse("admin:donors_gift_change", args=[queue["fresh"].pk]))
    assert "Not yet: the gift is on the thank-you queue." in fresh_page.content.decode()
    assert (
        "already thanked by call"
        in client.post(url, {"via": "letter", "confirm": "on"}, follow=True).content.decode()
    )


def test_search_and_pages_keep_the_counts_of_the_list(client, staff, queue):
    client.force_login(staff)
    response = client.get(QUEUE, {"q": "Omar"})
    assert ids(response) == [queue["middle"].pk, queue["fresh"].pk]
    assert "2 gifts to thank matching “Omar” (of 3)" in response.content.decode()
    assert ids(client.get(QUEUE, {"q": "ayesha@example.org"})) == [queue["old"].pk]
    assert ids(client.get(QUEUE, {"q": "nobody"})) == []
    for n in range(55):
        factories.make_gift(amount=D("10.00") + n)
    first, second = client.get(QUEUE), client.get(QUEUE, {"page": "2"})
    assert len(ids(first)) == 50 and len(ids(second)) == 8
    assert ids(first)[0] == queue["old"].pk
    assert client.get(QUEUE, {"page": "zzz"}).status_code == 200  # the first page
    assert gifts_to_thank().count() == 58


@pytest.mark.parametrize("role", [roles.BOARD_MEMBER, roles.EVENT_ORGANIZER])
def test_only_those_who_keep_gifts_open_or_use_the_queue(role, queue):
    user = factories.make_user(f"u-{role.split()[0].lower()}", role)
    client = Client()
    client.force_login(user)
    old = queue["old"]
    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("thanks_email", args=[old.pk])).status_code == 403
    mark = reverse("thanks_mark", args=[old.pk])
    assert client.get(mark).status_code == 403
    assert client.post(mark, {"via": "call", "confirm": "on"}).status_code == 403
    old.refresh_from_db()
    assert old.thanked_at is None
    anonymous = Client().get(mark)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")


def test_a_get_never_thanks_and_an_unknown_gift_is_404(client, staff, queue):
    client.force_login(staff)
    assert client.get(reverse("thanks_email", args=[queue["old"].pk])).status_code == 405
    assert client.post(reverse("thanks_email", args=[999999])).status_code == 404
    assert client.get(reverse("thanks_mark", args=[999999])).status_code == 404
