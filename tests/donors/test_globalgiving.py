"""GlobalGiving's live figures, fetched from a real local server: good answers, errors,
nonsense and timeouts. The last good figures always stay."""

import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.models import Schedule

from donors.globalgiving import GlobalGivingError, parse_project
from donors.models import GlobalGivingFetch
from donors.progress import globalgiving_latest
from donors.services.globalgiving import SCHEDULE_NAME, globalgiving_schedule_ensure
from donors.tasks import globalgiving_sync_task
from tests.globalgiving_peer import Answer, Peer, recorded_body


@pytest.fixture
def peer(settings, db):
    server = Peer().start()
    server.answer(Answer(body=recorded_body()))
    settings.GLOBALGIVING_API_BASE = server.base
    settings.GLOBALGIVING_API_KEY = "test-key"
    settings.GLOBALGIVING_PROJECT_ID = "98765"
    settings.GLOBALGIVING_TIMEOUT = 0.5
    settings.GLOBALGIVING_ATTEMPTS = 2
    settings.GLOBALGIVING_RETRY_BACKOFF = 0
    yield server
    server.stop()


def _sync_json(capsys) -> dict:
    call_command("sync_globalgiving", "--json")
    return json.loads(capsys.readouterr().out)


def test_sync_stores_the_recorded_figures_with_their_time(peer, capsys):
    summary = _sync_json(capsys)
    assert summary["ok"] is True
    project = summary["projects"][0]
    assert (project["funding"], project["goal"], project["remaining"]) == (
        "18342.50",
        "50000.00",
        "31657.50",
    )
    assert project["number_of_donations"] == 212
    fetch = GlobalGivingFetch.objects.get()
    assert (fetch.ok, fetch.funding, fetch.goal, fetch.donation_count, fetch.project_status) == (
        True,
        D("18342.50"),
        D("50000.00"),
        212,
        "active",
    )
    assert fetch.fetched_at is not None
    asked = peer.requests[0]
    assert asked["path"] == "/api/public/projectservice/projects/98765"
    assert asked["query"] == {"api_key": "test-key"}
    assert asked["accept"] == "application/json"


def test_numbers_are_read_as_numbers_or_strings():
    body = json.dumps(
        {"project": {"id": "7", "funding": 10.1, "goal": "1,000", "numberOfDonations": 3}}
    )
    figures = parse_project(body, project_id="7")
    assert (figures.funding, figures.goal, figures.donation_count) == (D("10.10"), D("1000.00"), 3)


def test_a_collection_answer_is_read_for_the_project_asked():
    body = json.dumps(
        {
            "projects": {
                "project": [
                    {"id": 1, "funding": "5", "goal": "10", "numberOfDonations": "1"},
                    {"id": 7, "funding": "6", "goal": "12", "numberOfDonations": "2"},
                ]
            }
        }
    )
    assert parse_project(body, project_id="7").funding == D("6.00")


@pytest.mark.parametrize(
    "project",
    [
        {"id": 7, "goal": "10", "numberOfDonations": "1"},
        {"id": 7, "funding": "lots", "goal": "10", "numberOfDonations": "1"},
        {"id": 7, "funding": "-5", "goal": "10", "numberOfDonations": "1"},
        {"id": 7, "funding": "NaN", "goal": "10", "numberOfDonations": "1"},
        {"id": 7, "funding": "5", "goal": "10", "numberOfDonations": "1.5"},
        {"id": 8, "funding": "5", "goal": "10", "numberOfDonations": "1"},
    ],
)
def test_nonsense_figures_are_refused(project):
    with pytest.raises(GlobalGivingError):
        parse_project(json.dumps({"project": project}), project_id="7")


@pytest.mark.parametrize(
    "answer,reason",
    [
        (Answer(status=500), "HTTP 500"),
        (Answer(status=404), "HTTP 404"),
        (Answer(body=b"<html>maintenance</html>", content_type="text/html"), "not JSON"),
        (Answer(body=b'{"project": {"id": 98765, "funding": "abc"}}'), "not a number"),
        (Answer(body=recorded_body(), delay=1.5), "did not answer within 0.5 s"),
    ],
    ids=["500", "404", "bad-json", "nonsense", "slow"],
)
def test_failed_fetch_keeps_the_last_good_figures(peer, capsys, answer, reason):
    call_command("sync_globalgiving")
    peer.answer(answer)
    with pytest.raises(CommandError, match="last good figures stay"):
        call_command("sync_globalgiving")
    failed = GlobalGivingFetch.objects.order_by("-id").first()
    assert failed.ok is False and reason in failed.error
    assert "the figures of" in capsys.readouterr().err
    live = globalgiving_latest(["98765"])["98765"]
    assert live.funding == D("18342.50") and live.donation_count == 212
    assert live.failing and reason in live.last_error
    assert live.fetched_at < failed.fetched_at


def test_server_errors_are_retried_and_missing_projects_are_not(peer):
    peer.answer(Answer(status=503), Answer(body=recorded_body()))
    globalgiving_sync_task()
    assert len(peer.requests) == 2
    assert GlobalGivingFetch.objects.get().ok
    peer.requests.clear()
    peer.answer(Answer(status=404))
    globalgiving_sync_task()
    assert len(peer.requests) == 1


def test_unreachable_api_is_recorded_not_raised(settings, db):
    settings.GLOBALGIVING_API_KEY = "k"
    settings.GLOBALGIVING_PROJECT_ID = "98765"
    settings.GLOBALGIVING_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.GLOBALGIVING_ATTEMPTS = 1
    summary = globalgiving_sync_task()
    assert summary["ok"] is False
    assert "could not be reached" in summary["projects"][0]["error"]


def test_sync_without_a_key_says_it_is_not_configured(settings, db):
    settings.GLOBALGIVING_API_KEY = ""
    with pytest.raises(CommandError, match="GLOBALGIVING_API_KEY"):
        call_command("sync_globalgiving")
    assert globalgiving_sync_task() == {"configured": False, "ok": False, "projects": []}


def test_the_hourly_schedule_exists_once(db):
    assert Schedule.objects.filter(name=SCHEDULE_NAME).count() == 1  # made by migrate
    globalgiving_schedule_ensure()
    globalgiving_schedule_ensure()
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.schedule_type) == (
        "donors.tasks.globalgiving_sync_task",
        Schedule.HOURLY,
    )


def test_the_scheduled_task_runs_the_sync(peer):
    from django_q.tasks import async_task

    async_task(Schedule.objects.get(name=SCHEDULE_NAME).func)
    assert GlobalGivingFetch.objects.get().funding == D("18342.50")
