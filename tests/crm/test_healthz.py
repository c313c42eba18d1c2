"""/healthz: 200 when the database and the task queue answer, 503 (never a 500) when not.

The outage cases start the app under gunicorn in its own process with the environment an
operator would set, and fetch the page over HTTP: a database or Redis that is really not there.
"""

import pytest
from django.db import connection

from tests.processes import Server, clean_env, manage, port_answers

DEAD_POSTGRES = "postgres://postgres@127.0.0.1:1/msp"
REDIS = "redis://127.0.0.1:6379/0"
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A database file the served app can share with nobody else (the test database may be in memory)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('healthz') / 'db.sqlite3'}"
    result = manage("migrate", "--no-input", env=clean_env(DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    return url


@pytest.fixture
def redis_up():
    if not port_answers("127.0.0.1", 6379):
        pytest.skip(
            "Redis is not reachable at 127.0.0.1:6379: start it with "
            "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no`"
        )


def test_it_reports_database_and_orm_broker_ok_to_an_anonymous_visitor(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    queue = body["task_queue"]
    assert queue["ok"] is True
    assert queue["broker"] == "orm"
    assert "error" not in queue
    assert queue["queued"] == 0
    assert queue["failures_last_24h"] == 0
    assert "no-cache" in response["Cache-Control"]


def test_it_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_it_answers_503_without_a_traceback_when_the_database_is_down():
    with Server(clean_env(DATABASE_URL=DEAD_POSTGRES)) as server:
        status, body = server.get_json("/healthz")

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": False, "vendor": "postgresql", "error": "OperationalError"}
    assert body["task_queue"] == {"ok": False, "broker": "orm", "error": "database unavailable"}
    assert "Traceback" not in server.output


def test_it_answers_200_with_the_redis_broker_when_redis_is_up(migrated_sqlite, redis_up):
    with Server(clean_env(DATABASE_URL=migrated_sqlite, REDIS_URL=REDIS)) as server:
        status, body = server.get_json("/healthz")

    assert status == 200, body
    assert body["database"] == {"ok": True, "vendor": "sqlite"}
    queue = body["task_queue"]
    assert queue["ok"] is True
    assert queue["broker"] == "redis"
    assert isinstance(queue["queued"], int)
    assert isinstance(queue["clusters"], int)
    assert "Traceback" not in server.output


def test_it_answers_503_when_redis_is_down(migrated_sqlite):
    with Server(clean_env(DATABASE_URL=migrated_sqlite, REDIS_URL=DEAD_REDIS)) as server:
        status, body = server.get_json("/healthz")

    assert status == 503
    assert body["database"]["ok"] is True
    assert body["task_queue"] == {"ok": False, "broker": "redis", "error": "ConnectionError"}
    assert "Traceback" not in server.output


def test_it_still_reports_a_live_redis_broker_when_the_database_is_down(redis_up):
    with Server(clean_env(DATABASE_URL=DEAD_POSTGRES, REDIS_URL=REDIS)) as server:
        status, body = server.get_json("/healthz")

    assert status == 503
    assert body["database"]["ok"] is False
    assert body["task_queue"]["ok"] is True
    assert body["task_queue"]["broker"] == "redis"
    assert "Traceback" not in server.output


def test_it_counts_a_running_task_cluster_with_the_orm_broker(migrated_sqlite):
    import subprocess
    import sys
    import time

    from tests.processes import ROOT

    env = clean_env(DATABASE_URL=migrated_sqlite)
    with Server(env) as server:
        status, body = server.get_json("/healthz")
        assert status == 200, body
        assert body["task_queue"]["clusters"] == 0
        cluster = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status, body = server.get_json("/healthz")
                if body["task_queue"].get("clusters"):
                    break
                time.sleep(0.5)
        finally:
            cluster.terminate()
            cluster.wait(timeout=30)

    assert status == 200
    assert body["task_queue"]["clusters"] == 1
