"""A refund or lost dispute reaches the gift's receipt at once, whichever way it is recorded
(Stripe's webhook, the reconciliation command, staff in the back office): the receipt is
voided, or voided and replaced for a partial refund, and the donor told, by a task queued
when the money changes. Not at the next sweep: that runs only nightly, as a safety net."""

from __future__ import annotations

import datetime
import io
import os
import time
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from common import roles
from compliance import services, tasks
from compliance.models import Receipt, ReceiptKind
from donors.models import Gift
from tests import factories
from tests.donors.admin_forms import form_data
from tests.processes import Cluster, clean_env, manage
from tests.stripe_peer import event, post_event

pytestmark = pytest.mark.django_db

ORG = "Movement for Solidarity and Peace in Pakistan"


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def deliver(evt, capture):
    # Whatever the webhook leaves for after its commit (tasks) runs before this returns.
    with capture(execute=True):
        response = post_event(Client(), evt)
    assert 200 <= response.status_code < 300, response.content


def receipted_online_gift(peer, capture, *, cents: int):
    """A card gift recorded from Stripe's event: its receipt is issued and emailed to the
    donor at once, with the thank-you (compliance.services.thanks)."""
    payment = peer.pay(cents=cents, email="omar@example.org", name="Omar Malik")
    deliver(event("charge.succeeded", peer.charge_object(payment["charge"])), capture)
    receipt = Receipt.objects.get(gift__stripe_charge_id=payment["charge"])
    assert receipt.sent_at is not None
    assert [m.subject for m in mail.outbox] == [f"Thank you for your gift to {ORG}"]
    return payment, receipt


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


# Stripe's webhook


def test_a_full_refund_from_stripe_voids_the_receipt_and_tells_the_donor(
    stripe_on, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    payment, receipt = receipted_online_gift(stripe_on, capture, cents=30000)
    refund = event("refund.created", stripe_on.refund(payment, 30000))

    deliver(refund, capture)

    receipt.refresh_from_db()
    assert receipt.voided_at is not None and receipt.void_reason == "Gift refunded"
    assert not Receipt.objects.filter(replaces=receipt).exists()
    notice = mail.outbox[-1]
    assert notice.to == ["omar@example.org"]
    assert notice.subject == f"Your receipt {receipt.number} from {ORG} is void"

    # Stripe delivers the same event again, then the charge's own refunded event.
    voided_at = receipt.voided_at
    deliver(refund, capture)
    deliver(event("charge.refunded", stripe_on.charge_object(payment["charge"])), capture)
    receipt.refresh_from_db()
    assert receipt.voided_at == voided_at
    assert Receipt.objects.count() == 1
    assert len(mail.outbox) == 2


def test_a_partial_refund_from_stripe_voids_the_receipt_and_issues_a_corrected_one(
    stripe_on, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    payment, receipt = receipted_online_gift(stripe_on, capture, cents=50000)
    refund = event("refund.created", stripe_on.refund(payment, 20000))

    deliver(refund, capture)

    receipt.refresh_from_db()
    assert receipt.void_reason == "Gift partially refunded ($200.00)"
    corrected = Receipt.objects.get(replaces=receipt)
    assert corrected.kind == ReceiptKind.CORRECTED
    assert (corrected.amount, corrected.amount_refunded, corrected.deductible_amount) == (
        D("300.00"), D("200.00"), D("300.00"),
    )  # fmt: skip
    assert corrected.voided_at is None and corrected.sent_at is not None
    assert subjects()[1:] == [
        f"Your receipt {receipt.number} from {ORG} is void",
        f"Your receipt {corrected.number} from {ORG}",
    ]
    assert corrected.number in mail.outbox[1].body
    assert "$300.00" in mail.outbox[2].body

    deliver(refund, capture)
    deliver(event("charge.refunded", stripe_on.charge_object(payment["charge"])), capture)
    assert Receipt.objects.count() == 2
    assert Receipt.objects.filter(voided_at__isnull=True).get() == corrected
    assert len(mail.outbox) == 3


def test_a_dispute_keeps_the_receipt_until_it_is_lost_and_then_voids_it(
    stripe_on, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    payment, receipt = receipted_online_gift(stripe_on, capture, cents=10000)
    opened = stripe_on.dispute_object(payment, status="needs_response")

    deliver(event("charge.dispute.created", opened), capture)
    receipt.refresh_from_db()
    assert receipt.voided_at is None
    assert len(mail.outbox) == 1

    deliver(event("charge.dispute.closed", dict(opened, status="lost")), capture)
    receipt.refresh_from_db()
    assert receipt.voided_at is not None and receipt.void_reason == "Gift refunded"
    assert subjects()[-1] == f"Your receipt {receipt.number} from {ORG} is void"


def test_a_refund_only_reconciliation_finds_voids_the_receipt_at_once(
    stripe_on, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    stripe_on.flush()
    payment, receipt = receipted_online_gift(stripe_on, capture, cents=30000)
    stripe_on.refund(payment, 30000)  # the webhook never told us
    since = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()

    with capture(execute=True):
        call_command("stripe_reconcile", "--since", since, stdout=io.StringIO())

    receipt.refresh_from_db()
    assert receipt.voided_at is not None and receipt.void_reason == "Gift refunded"
    assert subjects()[-1] == f"Your receipt {receipt.number} from {ORG} is void"


# Staff recording a refund in the back office


def receipted_check(donor_email="ayesha@example.org", amount=D("500.00")):
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan", email=donor_email)
    receipt = services.receipt_issue(gift=factories.make_gift(donor=donor, amount=amount))
    tasks.receipt_send_task(receipt.pk)
    return receipt


def record_refund(client, gift, *, refunded: str, status: str):
    url = f"/admin/donors/gift/{gift.pk}/change/"
    data = form_data(client.get(url), "gift")
    data.update(amount_refunded=refunded, status=status)
    return client.post(url, data)


def test_staff_recording_a_full_refund_voids_the_receipt_and_tells_the_donor(
    client, organization, staff, django_capture_on_commit_callbacks
):
    receipt = receipted_check()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = record_refund(client, receipt.gift, refunded="500.00", status="refunded")

    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.voided_at is not None and receipt.void_reason == "Gift refunded"
    assert subjects()[-1] == f"Your receipt {receipt.number} from {ORG} is void"
    assert mail.outbox[-1].to == ["ayesha@example.org"]

    # Saving the gift again, unchanged, changes nothing and tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        response = record_refund(client, receipt.gift, refunded="500.00", status="refunded")
    assert response.status_code == 302
    assert Receipt.objects.count() == 1
    assert len(mail.outbox) == 2


def test_staff_recording_a_partial_refund_voids_and_issues_a_corrected_receipt(
    client, organization, staff, django_capture_on_commit_callbacks
):
    receipt = receipted_check()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = record_refund(
            client, receipt.gift, refunded="125.00", status="partially_refunded"
        )

    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.void_reason == "Gift partially refunded ($125.00)"
    corrected = Receipt.objects.get(replaces=receipt)
    assert (corrected.kind, corrected.amount, corrected.deductible_amount) == (
        ReceiptKind.CORRECTED, D("375.00"), D("375.00"),
    )  # fmt: skip
    assert subjects()[1:] == [
        f"Your receipt {receipt.number} from {ORG} is void",
        f"Your receipt {corrected.number} from {ORG}",
    ]

    # The task delivered again (a queue retry) finds the receipt already in line.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.receipts_follow_gift_task(receipt.gift_id).endswith("0 voided, 0 corrected")
        response = record_refund(
            client, receipt.gift, refunded="125.00", status="partially_refunded"
        )
    assert response.status_code == 302
    assert Receipt.objects.count() == 2
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_the_same_refund_followed_at_once_by_several_workers_is_corrected_once(postgres_only):
    """The queue may run a gift's task twice at the same moment (a retry, two refunds in a row,
    the nightly pass): one corrected receipt, one notice, never two."""
    from tests.concurrency import run_at_once

    factories.make_organization()
    factories.ensure_benefit_limits()
    receipt = receipted_check()
    # The refund as the books record it, without running the task it queues: the workers below
    # are those tasks, delivered together.
    Gift.objects.filter(pk=receipt.gift_id).update(
        amount_refunded=D("100.00"), status="partially_refunded"
    )

    results, errors = run_at_once(tasks.receipts_follow_gift_task, [receipt.gift_id] * 4)

    assert errors == []
    assert sorted(r.split(": ")[1] for r in results) == ["0 voided, 0 corrected"] * 3 + [
        "0 voided, 1 corrected"
    ]
    assert Receipt.objects.count() == 2
    corrected = Receipt.objects.get(replaces=receipt)
    assert (corrected.amount, corrected.voided_at) == (D("400.00"), None)


# With the task cluster running as in production


@pytest.fixture
def shared_database(django_db_blocker, tmp_path):
    """A migrated database of its own that this test and a qcluster process share, as the web
    workers and the cluster share one in production; its URL. The suite's own test database
    will not do: on SQLite it lives in this process's memory, and a test's changes are never
    committed. For the test, this process's default connection points at the new database."""
    from django.db import connections

    with django_db_blocker.unblock():
        original = connections["default"]
        if original.vendor == "sqlite":
            name = str(tmp_path / "cluster.sqlite3")
            url = f"sqlite:///{name}"
        else:
            name = f"msp_cluster_{os.getpid()}"
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}"')
            given = original.settings_dict
            login = quote(given["USER"] or "postgres", safe="")
            if given.get("PASSWORD"):
                login += ":" + quote(given["PASSWORD"], safe="")
            where = f"{given['HOST'] or '127.0.0.1'}:{given['PORT'] or 5432}"
            url = f"postgres://{login}@{where}/{name}"
        migrated = manage("migrate", "--no-input", env=clean_env(DATABASE_URL=url), timeout=300)
        assert migrated.returncode == 0, migrated.stderr
        shared = original.__class__({**original.settings_dict, "NAME": name}, "default")
        connections["default"] = shared
        try:
            yield url
        finally:
            shared.close()
            connections["default"] = original
            if original.vendor != "sqlite":
                with original._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(condition, *, seconds: float) -> float | None:
    """Seconds until ``condition()`` held, or None if it did not within ``seconds``."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def test_a_running_task_cluster_voids_the_receipt_within_seconds_of_the_refund(
    shared_database, settings, monkeypatch, client
):
    from django_q.conf import Conf
    from django_q.models import Schedule, Task
    from django_q.tasks import async_task

    # Tasks go through the broker to the cluster, as in production.
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr(Conf, "SYNC", False)
    factories.make_organization()
    staff = factories.make_user("bob", roles.STAFF)
    receipt = receipted_check()
    sweep = Schedule.objects.get(func="compliance.tasks.receipts_sync_task")
    assert sweep.schedule_type == Schedule.DAILY

    with Cluster(clean_env(DATABASE_URL=shared_database)) as cluster:
        warm_up = async_task("math.floor", 2.5)
        assert wait_for(lambda: Task.objects.filter(id=warm_up).exists(), seconds=90), (
            "the cluster never ran a task"
        )
        client.force_login(staff)
        response = record_refund(client, receipt.gift, refunded="500.00", status="refunded")
        assert response.status_code == 302  # the refund is committed

        voided = wait_for(
            lambda: Receipt.objects.filter(
                pk=receipt.pk, voided_at__isnull=False, void_notice_sent_at__isnull=False
            ).exists(),
            seconds=60,
        )
        assert cluster.running()

    assert voided is not None, cluster.output
    assert voided < 10, f"voided and the donor told only after {voided:.1f}s"
    receipt.refresh_from_db()
    assert receipt.void_reason == "Gift refunded"
    assert receipt.void_notice_sent_at is not None
    # The console email backend printed the notice the cluster sent.
    assert "To: ayesha@example.org" in cluster.output
    assert (
        f"Receipt {receipt.number} for your gift on March 15, 2025 is no longer valid: Gift "
        "refunded." in cluster.output
    )
    # The task queued by the refund did it, not the nightly sweep.
    assert Task.objects.filter(
        func="compliance.tasks.receipts_follow_gift_task", success=True
    ).exists()
    assert not Task.objects.filter(func="compliance.tasks.receipts_sync_task").exists()
