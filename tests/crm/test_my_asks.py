"""A board member's pipeline on their own page (asks by stage, overdue ones marked, moved on by
a small form through the service, their own only) and anyone's "My tasks"."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from donors import services
from donors.models import Ask, Task
from tests import dashboard_data as data
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(organization, board):
    return data.build(timezone.localdate(), board_user=board)  # charlie sits in Omar's seat


@pytest.fixture
def asks(cast):
    today = timezone.localdate()
    nadia = factories.make_donor(first_name="Nadia", last_name="Qureshi")
    bilal = factories.make_donor(first_name="Bilal", last_name="Ahmed")
    mine = services.ask_create(
        donor=nadia, member=cast.member_omar, amount="25000", next_step="Lunch at the club",
        due_date=today - datetime.timedelta(days=2),
    )  # fmt: skip
    later = services.ask_create(
        donor=bilal, member=cast.member_omar, amount="1500", stage="cultivate",
        next_step="Tour of the clinic", due_date=today + datetime.timedelta(days=9),
    )  # fmt: skip
    theirs = services.ask_create(
        donor=factories.make_donor(first_name="Zara", last_name="Noor"),
        member=cast.member_ayesha, amount="9000",
    )  # fmt: skip
    return mine, later, theirs


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_the_pipeline_shows_each_stage_with_amounts_next_steps_and_overdue(board, asks):
    html = _client(board).get("/dashboard/me/").content.decode()
    assert 'id="pipeline-open">$26,500.00' in html
    assert "Nadia Qureshi" in html and "$25,000.00" in html and "Lunch at the club" in html
    assert "Tour of the clinic" in html and "$1,500.00" in html
    assert "1 overdue" in html and "Overdue since" in html
    assert f'id="ask-{asks[0].pk}"' in html and 'class="ask overdue"' in html
    assert "Zara Noor" not in html  # another member's prospect
    assert 'id="my-give">$850.00' in html  # beside their give and get


def test_a_member_moves_their_ask_on_through_the_service(board, asks):
    mine = asks[0]
    client = _client(board, enforce_csrf_checks=True)
    page = client.get("/dashboard/me/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        f"/dashboard/me/asks/{mine.pk}/move/", {"stage": "identify", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.stage == "cultivate"
    assert LogEntry.objects.get_for_object(mine).latest("timestamp").actor == board
    assert "moved to Cultivate" in client.get("/dashboard/me/").content.decode()
    # The same button pressed again (a stale page) moves nothing twice.
    client.post(
        f"/dashboard/me/asks/{mine.pk}/move/", {"stage": "identify", "csrfmiddlewaretoken": token}
    )
    mine.refresh_from_db()
    assert mine.stage == "cultivate"
    assert "already at Cultivate" in client.get("/dashboard/me/").content.decode()


def test_a_move_without_the_csrf_token_is_refused(board, asks):
    client = _client(board, enforce_csrf_checks=True)
    response = client.post(f"/dashboard/me/asks/{asks[0].pk}/move/", {"stage": "identify"})
    assert response.status_code == 403
    assert Ask.objects.get(pk=asks[0].pk).stage == "identify"


def test_a_member_cannot_move_another_members_ask(board, organizer, asks):
    theirs = asks[2]
    assert (
        _client(board)
        .post(f"/dashboard/me/asks/{theirs.pk}/move/", {"stage": "identify"})
        .status_code
        == 403
    )
    assert (
        _client(organizer)
        .post(f"/dashboard/me/asks/{theirs.pk}/move/", {"stage": "identify"})
        .status_code
        == 403
    )
    assert Ask.objects.get(pk=theirs.pk).stage == "identify"
    assert _client(board).get(f"/dashboard/me/asks/{theirs.pk}/move/").status_code == 405


def test_the_last_move_closes_the_ask_and_a_gift_shows_beside_it(board, asks):
    later = asks[1]
    client = _client(board)
    client.post(f"/dashboard/me/asks/{later.pk}/move/", {"stage": "cultivate"})
    client.post(f"/dashboard/me/asks/{later.pk}/move/", {"stage": "ask"})
    later.refresh_from_db()
    assert later.stage == "steward" and later.closed_at is not None
    html = client.get("/dashboard/me/").content.decode()
    assert "now steward them" in html
    services.gift_record(
        donor=asks[0].donor, amount="20000", method="check", gift_date=timezone.localdate()
    )
    html = client.get("/dashboard/me/").content.decode()
    closed = html[html.index('id="asks-closed"') :]
    assert "Nadia Qureshi" in closed and "$20,000.00" in closed and "Steward" in closed
    assert 'id="pipeline-open">$0.00' in html


def test_my_tasks_lists_the_users_open_tasks_and_marks_them_done(board, staff, cast):
    today = timezone.localdate()
    donor = factories.make_donor(first_name="Sara", last_name="Iqbal")
    call = services.task_create(
        donor=donor, owner=board, kind="call", due_date=today - datetime.timedelta(days=1),
        what="Ask about the matching gift",
    )  # fmt: skip
    services.task_create(donor=donor, owner=staff, kind="visit", due_date=today, what="Staff's")
    client = _client(board)
    html = client.get("/dashboard/tasks/").content.decode()
    assert "Ask about the matching gift" in html and "Sara Iqbal" in html
    assert "(overdue)" in html and "1 overdue" in html
    assert "Staff&#x27;s" not in html and "Staff's" not in html
    assert "My tasks (1 open)" in client.get("/dashboard/me/").content.decode()
    response = client.post(f"/dashboard/tasks/{call.pk}/done/")
    assert response.status_code == 302
    assert Task.objects.get(pk=call.pk).done_at is not None
    html = client.get("/dashboard/tasks/").content.decode()
    assert "Done: call of Sara Iqbal." in html and "Nothing to do." in html


def test_nobody_marks_another_users_task_done(board, organizer, staff, cast):
    task = services.task_create(
        donor=factories.make_donor(), owner=staff, kind="thank_you", due_date=timezone.localdate()
    )
    for user in (board, organizer):
        assert _client(user).post(f"/dashboard/tasks/{task.pk}/done/").status_code == 403
    assert Task.objects.get(pk=task.pk).done_at is None


def test_an_organizer_with_a_task_sees_it_and_no_money(organizer, cast):
    donor = factories.make_donor(first_name="Hina", last_name="Baig")
    factories.make_gift(donor=donor, amount=D("4321.00"))
    services.task_create(
        donor=donor, owner=organizer, kind="call", due_date=timezone.localdate(), what="Seats"
    )
    html = _client(organizer).get("/dashboard/tasks/").content.decode()
    assert "Hina Baig" in html and "4,321" not in html
