import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limit lives in the cache, which outlives a test: every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_queued_on_commit_run(monkeypatch):
    # A test's database transaction is rolled back, never committed, so tasks queued "on
    # commit" would never run. Here they are queued at once (and, tests being synchronous,
    # run at once). tests/events/test_emails.py proves the real on-commit path too.
    from django_q.tasks import async_task

    from events import tasks

    monkeypatch.setattr(
        tasks, "enqueue", lambda func, *args: async_task(func, *args, group="events")
    )
