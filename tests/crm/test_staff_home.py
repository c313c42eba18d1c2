"""The staff home (/admin/): today's work as figures, each linking to the list it counts.

Each figure equals the rows of its list, proven by following the link as the same user; a
card shows only to a user allowed to open its list; the page costs the same queries with
one row of everything or many."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.models import ComplianceDeadline
from donors.models import ImportRun, PaymentFailure, RecurringPlan, StripeEvent
from tests import factories

pytestmark = pytest.mark.django_db
HOME = reverse("admin:index")
CARD = re.compile(
    r'<a class="card[^"]*" href="(?P<url>[^"]+)" data-card="(?P<key>\w+)">\s*'
    r'<span class="count">(?P<count>\d+)</span>'
)
EVERY_CARD = {"thanks", "receipts", "failures", "attention", "imports", "deadlines", "events"}

_n = iter(range(10**6))


def work(organizer=None, *, rounds: int = 1) -> None:
    """``rounds`` of each thing the home counts, and of each thing it must not count."""
    now = timezone.now()
    for _ in range(rounds):
        n = next(_n)
        donor = factories.make_donor()
        factories.make_gift(donor=donor)  # to thank and to receipt
        factories.make_gift(donor=donor, thanked_at=now)  # thanked, still to receipt
        plan = RecurringPlan.objects.create(donor=donor, amount=25, started_on=now.date())
        for state, recovered_at in (("at_risk", None), ("recovered", now)):
            PaymentFailure.objects.create(
                plan=plan, stripe_invoice_id=f"in_{n}_{state}", state=state,
                first_failed_at=now, last_failed_at=now, recovered_at=recovered_at,
            )  # fmt: skip
        StripeEvent.objects.create(
            event_id=f"evt_{n}_a", type="charge.succeeded", created=now, attention="In euros."
        )
        StripeEvent.objects.create(
            event_id=f"evt_{n}_r", type="charge.succeeded", created=now, attention="In euros.",
            resolved_at=now, resolution="Recorded by hand.",
        )  # fmt: skip
        for rejected, days in (("error\nbad email\n", 1), ("", 1), ("error\nbad\n", 40)):
            ImportRun.objects.create(
                kind="donors", file_name=f"f{n}.csv", rejected_rows=rejected,
                started_at=now - datetime.timedelta(days=days), finished_at=now,
            )  # fmt: skip
        ComplianceDeadline.objects.create(
            kind="other", fiscal_year=2026, due_date=now.date() + datetime.timedelta(days=n % 60)
        )
        ComplianceDeadline.objects.create(
            kind="other", fiscal_year=2025, due_date=now.date(), done_on=now.date()
        )
        factories.make_event(organizers=[organizer] if organizer else [])
        factories.make_event(starts_at=now - datetime.timedelta(days=3))  # over


def cards(client) -> dict[str, tuple[int, str]]:
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    return {
        m["key"]: (int(m["count"]), m["url"].replace("&amp;", "&")) for m in CARD.finditer(html)
    }


def rows_listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "cl" in context:  # an admin list
        return context["cl"].result_count
    if "page" in context:  # the thank-you queue
        return context["page"].paginator.count
    return len(context["upcoming"])  # /my-events/


def test_each_figure_is_the_rows_of_the_list_it_links_to(organization, administrator, staff):
    work(rounds=2)
    for user in (administrator, staff):
        client = Client()
        client.force_login(user)
        shown = cards(client)
        assert set(shown) == EVERY_CARD
        assert {key: count for key, (count, _) in shown.items()} == {
            "thanks": 2, "receipts": 4, "failures": 2, "attention": 2, "imports": 2,
            "deadlines": 2, "events": 2,
        }  # fmt: skip
        for key, (count, url) in shown.items():
            assert rows_listed(client, url) == count, key


def test_a_card_shows_only_to_roles_that_open_its_list(organization, board, organizer):
    work(organizer)
    factories.make_event()  # not theirs: the organizer's figure leaves it out
    client = Client()
    client.force_login(organizer)
    shown = cards(client)
    assert set(shown) == {"events"}  # an organizer sees events, never money
    assert shown["events"][0] == 1 == rows_listed(client, shown["events"][1])
    client.force_login(board)
    shown = cards(client)
    assert set(shown) == {"deadlines", "events"}  # no money, no imports
    for key, (count, url) in shown.items():
        assert rows_listed(client, url) == count, key


def test_an_empty_day_says_so_and_the_apps_stay_below(organization, staff, client):
    client.force_login(staff)
    response = client.get(HOME)
    html = response.content.decode()
    assert "Today&#x27;s work" in html or "Today's work" in html
    assert "Every donor has been thanked." in html
    assert "No monthly payment is at risk." in html
    assert 'id="content-main"' in html and "app-donors" in html  # the admin's list of apps


def test_the_next_deadlines_and_events_are_named(organization, staff, client):
    factories.make_event(name="Spring Gala")
    ComplianceDeadline.objects.create(
        kind="form_990", fiscal_year=2025, due_date=datetime.date(2026, 5, 15)
    )
    client.force_login(staff)
    html = client.get(HOME).content.decode()
    assert "Spring Gala" in html
    assert "IRS Form 990 (2025)" in html and "due May 15, 2026" in html


def test_the_query_count_does_not_grow_with_the_work(organization, staff):
    client = Client()
    client.force_login(staff)
    work(rounds=1)
    cards(client)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    work(rounds=4)
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)
    # The sign-in and the admin's own index, one count per card, and the next three
    # deadlines and events: 14, with one row of each or five.
    assert len(few) == 14
    assert len(many) == len(few)


def test_a_visitor_signs_in_first(client):
    response = client.get(HOME)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_past_the_lists_count_limit_a_figure_says_so(organization, staff, client, monkeypatch):
    # The admin's lists stop counting at 10,000 ("more than 10,000"); so does the home.
    monkeypatch.setattr("crm.staff_home.COUNT_UP_TO", 1)
    work(rounds=2)
    client.force_login(staff)
    html = client.get(HOME).content.decode()
    assert re.search(r'data-card="thanks">\s*<span class="count">1\+</span>', html)
