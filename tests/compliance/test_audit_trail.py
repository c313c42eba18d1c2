"""Statements, batches, receipts and the work no user does (Stripe's webhook, tasks) leave
audit entries naming who did it: the member of staff, else the webhook event or the task. A
donor's history page shows their receipts and statements too."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse

from compliance import services
from compliance.models import IssueBatch, Receipt, YearEndStatement
from donors import services as donor_services
from donors.models import Gift
from tests import factories
from tests.stripe_peer import event, post_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db, settings):
    factories.ensure_benefit_limits()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _entries(obj):
    return list(LogEntry.objects.get_for_object(obj).order_by("pk"))


def test_a_batch_started_by_staff_records_each_statement_issued_and_voided_with_them(
    client, organization, staff, django_capture_on_commit_callbacks
):
    ayesha = factories.make_donor(first_name="Ayesha", last_name="Khan")
    day = datetime.date
    gift = factories.make_gift(donor=ayesha, amount=D("100.00"), gift_date=day(2025, 2, 1))
    factories.make_gift(amount=D("40.00"), gift_date=day(2025, 3, 1))
    client.force_login(staff)

    def batch() -> IssueBatch:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:compliance_issuebatch_add"), {"kind": "statements", "year": "2025"}
            )
        assert response.status_code == 302
        return IssueBatch.objects.latest("pk")

    first_batch = batch()
    first = YearEndStatement.objects.get(donor=ayesha)
    [started] = _entries(first_batch)
    assert (started.action, started.actor) == (LogEntry.Action.CREATE, staff)
    assert started.changes_dict["year"] == ["None", "2025"]
    [issued] = _entries(first)
    assert (issued.action, issued.actor) == (LogEntry.Action.CREATE, staff)
    assert issued.changes_dict["number"] == ["None", first.number]
    assert issued.changes_dict["total_amount"] == ["None", "100.00"]
    assert issued.additional_data == {"origin": f"issue batch {first_batch.pk}"}

    gift.amount = D("150.00")
    donor_services.gift_save(gift=gift)
    second_batch = batch()

    first.refresh_from_db()
    assert first.voided_at is not None
    voided = _entries(first)[-1]
    assert (voided.action, voided.actor) == (LogEntry.Action.UPDATE, staff)
    assert voided.changes_dict["voided_at"][0] == "None"
    assert voided.changes_dict["void_reason"] == ["", "Replaced: the year's gifts changed."]
    assert voided.additional_data == {"origin": f"issue batch {second_batch.pk}"}
    replacement = YearEndStatement.objects.get(donor=ayesha, voided_at__isnull=True)
    assert _entries(replacement)[0].changes_dict["replaces"] == ["None", str(first.pk)]


def test_a_stripe_refund_names_the_event_and_the_task_where_no_user_acted(
    stripe_on, django_capture_on_commit_callbacks, client, staff
):
    capture = django_capture_on_commit_callbacks
    payment = stripe_on.pay(cents=30000, email="omar@example.org", name="Omar Malik")
    with capture(execute=True):
        post_event(Client(), event("charge.succeeded", stripe_on.charge_object(payment["charge"])))
    gift = Gift.objects.get(stripe_charge_id=payment["charge"])
    # Issued and sent at once with the donor's thank-you, by the task the webhook queued.
    receipt = Receipt.objects.get(gift=gift)
    [issued] = [e for e in _entries(receipt) if e.action == e.Action.CREATE]
    assert (issued.actor, issued.additional_data) == (None, {"origin": "task gift_thank_task"})
    refund = event("refund.created", stripe_on.refund(payment, 30000))

    with capture(execute=True):
        response = post_event(Client(), refund)
    assert 200 <= response.status_code < 300

    gift_entry = [e for e in _entries(gift) if "amount_refunded" in e.changes_dict][-1]
    assert gift_entry.actor is None
    assert gift_entry.changes_dict["amount_refunded"] == ["0.00", "300.00"]
    assert gift_entry.additional_data == {"origin": f"stripe event {refund['id']}"}
    receipt.refresh_from_db()
    [void_entry] = [
        e for e in _entries(receipt) if e.changes_dict.get("void_reason") == ["", "Gift refunded"]
    ]
    assert void_entry.actor is None
    assert void_entry.additional_data == {"origin": "task receipts_follow_gift_task"}
    assert mail.outbox[-1].subject.endswith("is void")

    # The history pages say so, instead of a blank "system".
    client.force_login(staff)
    page = client.get(f"/admin/donors/gift/{gift.pk}/auditlog/").content.decode()
    assert f"stripe event {refund['id']}" in page
    page = client.get(f"/admin/donors/donor/{gift.donor_id}/auditlog/").content.decode()
    assert "task receipts_follow_gift_task" in page
    assert f"Receipt: {receipt}" in page


def test_the_donor_history_lists_their_receipts_and_statements(client, organization, staff):
    donor = factories.make_donor(first_name="Sara", last_name="Ahmed")
    gift = factories.make_gift(donor=donor, amount=D("80.00"), gift_date=datetime.date(2025, 4, 1))
    receipt = services.receipt_issue(gift=gift)
    services.statements_issue(year=2025, donor_ids=[donor.pk])
    statement = YearEndStatement.objects.get(donor=donor)
    client.force_login(staff)

    page = client.get(f"/admin/donors/donor/{donor.pk}/auditlog/")

    about = {(e.content_type.model_class(), e.object_id) for e in page.context["log_entries"]}
    assert {(Receipt, receipt.pk), (YearEndStatement, statement.pk), (Gift, gift.pk)} <= about
