"""The real path: an answer's confirmation is queued when its transaction commits."""

import pytest
from django.core import mail

from events import tasks
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_is_queued_on_commit_and_sent(monkeypatch, client):
    # Undo tests/events/conftest.py's shortcut: this test commits for real.
    monkeypatch.setattr(tasks, "enqueue", tasks.enqueue_on_commit)
    factories.make_organization()
    factories.make_event(slug="real-commit")

    client.post(
        "/events/real-commit/",
        {
            "first_name": "Nida",
            "last_name": "Q",
            "email": "nida@example.org",
            "answer": "yes",
            "party_size": "1",
        },
    )

    assert [m.to for m in mail.outbox] == [["nida@example.org"]]
