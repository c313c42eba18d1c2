"""Who an invitation goes to (people and households; organizations only when the organizer
ticks "Include organizations") and what the invite page says of the sending: how many were
sent, how many wait in the task queue, and a warning when no task worker has been seen."""

import pytest
from django.core import mail
from django.template.defaultfilters import date
from django.utils.timezone import localtime
from django_q.brokers import get_broker
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage
from django_q.status import Stat, Status
from django_q.tasks import async_task

from donors.models import DonorKind
from events.models import Invitation
from events.services import invitations_create
from tests import factories

pytestmark = pytest.mark.django_db

ORGANIZATION_KINDS = [
    DonorKind.COMPANY,
    DonorKind.FOUNDATION,
    DonorKind.DAF_SPONSOR,
    DonorKind.PLATFORM,
    DonorKind.GOVERNMENT,
]


@pytest.fixture
def event(organization, organizer):
    return factories.make_event(name="Fremont Dinner", slug="fremont", organizers=[organizer])


@pytest.fixture
def circle():
    """A tag on a person, a household and one organization of each kind."""
    donors = {
        "person": factories.make_donor(first_name="Hina", last_name="Shah", tags=["circle"]),
        "household": factories.make_donor(
            kind=DonorKind.HOUSEHOLD, organization_name="The Khan Family", tags=["circle"]
        ),
    }
    for kind in ORGANIZATION_KINDS:
        donors[kind] = factories.make_donor(
            kind=kind, organization_name=f"A {kind} org", tags=["circle"]
        )
    return donors


def _invite(client, event, tag, **data):
    return client.post(f"/events/{event.slug}/invite/", {"tags": [tag.pk], **data}, follow=True)


def _invited(event) -> set[int]:
    return set(Invitation.objects.filter(event=event).values_list("donor_id", flat=True))


def test_people_and_households_are_invited_and_organizations_are_left_out_by_default(
    client, organizer, event, circle
):
    client.force_login(organizer)
    tag = circle["person"].tags.get()

    preview = _invite(client, event, tag, preview="1").content.decode()
    _invite(client, event, tag, send="1")

    assert "2 donors will be invited" in preview
    assert "Hina Shah" in preview and "The Khan Family" in preview
    assert "A company org" not in preview
    assert '5 organizations left out: tick "Include organizations" to invite them.' in preview
    assert _invited(event) == {circle["person"].pk, circle["household"].pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d.emails.get().email for d in (circle["person"], circle["household"])
    )


def test_organizations_are_invited_when_the_organizer_ticks_include_organizations(
    client, organizer, event, circle
):
    client.force_login(organizer)
    tag = circle["person"].tags.get()

    preview = _invite(client, event, tag, include_organizations="on", preview="1")
    _invite(client, event, tag, include_organizations="on", send="1")

    page = preview.content.decode()
    assert "7 donors will be invited" in page
    assert 'A foundation org <span class="muted">(Foundation)</span>' in page
    assert "organizations left out" not in page
    assert _invited(event) == {donor.pk for donor in circle.values()}
    assert len(mail.outbox) == 7


def test_the_admin_action_sends_to_people_unless_organizations_are_chosen(
    client, organizer, event, circle
):
    invitations = invitations_create(event=event, donors=circle.values())
    selected = [invitation.pk for invitation in invitations]
    client.force_login(organizer)

    first = client.post(
        "/admin/events/invitation/",
        {"action": "send_invitations", "_selected_action": selected},
        follow=True,
    )
    people_only = sorted(m.to[0] for m in mail.outbox)
    second = client.post(
        "/admin/events/invitation/",
        {"action": "send_invitations_with_organizations", "_selected_action": selected},
        follow=True,
    )

    assert len(people_only) == 2
    assert "2 queued — they are sent by the task worker" in first.content.decode()
    assert "5 to organizations not sent" in first.content.decode()
    assert len(mail.outbox) == 7  # the five organizations now; nobody twice
    assert "5 queued" in second.content.decode()
    assert "2 had already been sent" in second.content.decode()
    assert Invitation.objects.filter(event=event, sent_at__isnull=True).count() == 0


@pytest.fixture
def queue_with_a_worker(settings, monkeypatch):
    """Tasks go to the database queue, as in production, for a worker to take; heartbeats
    live in the shared database cache (crm's first migration makes its table)."""
    from django_q.conf import Conf

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "crm_cache",
        }
    }


def _run_queued_tasks_as_the_worker_does() -> None:
    # What a cluster does with each queued task: run it and store its result (in-process).
    broker = get_broker()
    for queued in OrmQ.objects.all():
        task = SignedPackage.loads(queued.payload)
        async_task(task["func"], *task["args"], sync=True)
        broker.acknowledge(queued.pk)


def test_the_page_says_what_is_queued_and_warns_that_no_worker_was_seen(
    client, organizer, event, circle, queue_with_a_worker
):
    client.force_login(organizer)
    tag = circle["person"].tags.get()

    sent = _invite(client, event, tag, send="1").content.decode()

    assert mail.outbox == []  # waiting for the worker
    assert "2 queued — they are sent by the task worker, usually within a minute. " in sent
    assert "0 sent so far." in sent
    assert "<strong>0</strong> sent so far. <strong>2</strong> queued, waiting to be sent." in sent
    assert (
        "No task worker has been seen yet: invitations will wait until one runs "
        "(<code>python manage.py qcluster</code>)." in sent
    )

    _run_queued_tasks_as_the_worker_does()
    page = client.get(f"/events/{event.slug}/invite/").content.decode()

    assert len(mail.outbox) == 2
    assert "<strong>2</strong> sent so far. <strong>0</strong> queued" in page
    # The worker is gone again (no heartbeat): the page says when one was last at work.
    last = Task.objects.order_by("-stopped").first().stopped
    assert (
        f"No task worker has been seen since {date(localtime(last), 'F j, Y, g:i A T')}: " in page
    )


def test_no_warning_while_a_worker_is_running(client, organizer, event, queue_with_a_worker):
    # The heartbeat a running cluster writes every few seconds (django_q.status.Stat.save).
    status = Status(pid=4242, cluster_id="test-cluster")
    get_broker().set_stat(Stat.get_key(status.cluster_id), SignedPackage.dumps(status), 3)
    client.force_login(organizer)

    page = client.get(f"/events/{event.slug}/invite/").content.decode()

    assert "emailed by the task worker, in the background" in page
    assert "No task worker has been seen" not in page


def test_tasks_run_at_once_need_no_worker(client, organizer, event):
    # Q_SYNC (tests, one-off commands): tasks run in the web process itself.
    client.force_login(organizer)

    page = client.get(f"/events/{event.slug}/invite/").content.decode()

    assert "Invitations are emailed as soon as they are queued." in page
    assert "No task worker has been seen" not in page
