"""Receipt emails (a django-q2 task each), void notices, and the refund sync."""

import socket
import zoneinfo
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command
from django_q.models import Schedule

from compliance import services, tasks
from compliance.models import EmailTemplate, Receipt
from donors import services as donor_services
from donors.models import GiftStatus
from tests import factories
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db, settings):
    factories.ensure_benefit_limits()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _issue(**gift_fields):
    donor = factories.make_donor(first_name="Omar", last_name="Khan", email="omar@example.org")
    return services.receipt_issue(gift=factories.make_gift(donor=donor, **gift_fields))


def test_receipt_email_carries_the_pdf_and_is_recorded(organization):
    receipt = _issue(amount=D("300.00"))
    tasks.receipt_send_task(receipt.pk)
    (message,) = mail.outbox
    assert message.to == ["omar@example.org"]
    assert message.subject == f"Your receipt {receipt.number} from {organization.legal_name}"
    assert "Dear Omar Khan" in message.body and "$300.00" in message.body
    assert "NY Attorney General's Charities Bureau" in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == (f"receipt-{receipt.number}.pdf", "application/pdf")
    assert receipt.number in pdf_text(content)
    receipt.refresh_from_db()
    assert receipt.sent_at is not None and receipt.sent_to == "omar@example.org"


def test_a_receipt_is_never_emailed_twice(organization):
    receipt = _issue()
    tasks.receipt_send_task(receipt.pk)
    tasks.receipt_send_task(receipt.pk)
    assert len(mail.outbox) == 1


def test_smtp_failure_leaves_it_unsent_and_the_retry_sends_it_once(
    organization, settings, django_capture_on_commit_callbacks
):
    receipt = _issue()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    # The task raises (in tests tasks run inline, so the error reaches the caller): the worker
    # records a failure and the broker delivers the task again.
    with pytest.raises(ConnectionRefusedError):
        with django_capture_on_commit_callbacks(execute=True):
            services.receipts_send_queue(receipt_ids=[receipt.pk])
    receipt.refresh_from_db()
    assert receipt.sent_at is None

    # django-q2 delivers a failed task again (ack_failures is off); this time SMTP answers.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tasks.receipt_send_task(receipt.pk)
    tasks.receipt_send_task(receipt.pk)
    assert len(mail.outbox) == 1
    receipt.refresh_from_db()
    assert receipt.sent_at is not None


def test_staff_edit_the_email_words(organization):
    template = EmailTemplate.objects.get(key="receipt")
    template.body = "Shukriya {{ donor_name }} for {{ amount }}."
    template.save()
    tasks.receipt_send_task(_issue(amount=D("75.00")).pk)
    assert mail.outbox[0].body == "Shukriya Omar Khan for $75.00."


def test_receipt_without_an_email_is_not_sent(organization):
    donor = factories.make_donor(email=None)
    receipt = services.receipt_issue(gift=factories.make_gift(donor=donor))
    assert "no email address" in tasks.receipt_send_task(receipt.pk)
    assert mail.outbox == []


def _refund(gift, amount):
    gift.amount_refunded = D(amount)
    gift.status = (
        GiftStatus.REFUNDED
        if gift.amount_refunded == gift.amount
        else GiftStatus.PARTIALLY_REFUNDED
    )
    return donor_services.gift_save(gift=gift)


def test_full_refund_voids_the_receipt_and_tells_the_donor(
    organization, django_capture_on_commit_callbacks
):
    receipt = _issue(amount=D("300.00"))
    tasks.receipt_send_task(receipt.pk)
    _refund(receipt.gift, "300.00")
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.receipts_sync_task()
    assert result == "1 voided, 0 corrected"
    receipt.refresh_from_db()
    assert receipt.voided_at is not None and receipt.void_reason == "Gift refunded"
    notice = mail.outbox[-1]
    assert notice.subject == f"Your receipt {receipt.number} from {organization.legal_name} is void"
    assert "VOID" in pdf_text(notice.attachments[0][1])
    # Running it again changes nothing and tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.receipts_sync_task() == "0 voided, 0 corrected"
    assert len(mail.outbox) == 2


def test_partial_refund_voids_and_issues_a_corrected_receipt(
    organization, django_capture_on_commit_callbacks
):
    receipt = _issue(amount=D("500.00"))
    tasks.receipt_send_task(receipt.pk)
    _refund(receipt.gift, "200.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.receipts_sync_with_gifts()
    receipt.refresh_from_db()
    corrected = Receipt.objects.get(replaces=receipt)
    assert receipt.void_reason == "Gift partially refunded ($200.00)"
    assert (corrected.amount, corrected.deductible_amount) == (D("300.00"), D("300.00"))
    assert corrected.sent_at is not None
    subjects = [m.subject for m in mail.outbox]
    assert subjects[1].endswith("is void") and corrected.number in mail.outbox[1].body
    assert subjects[2] == f"Your receipt {corrected.number} from {organization.legal_name}"
    with django_capture_on_commit_callbacks(execute=True):
        again = services.receipts_sync_with_gifts()
    assert (again.voided, again.corrected) == ([], [])
    assert len(mail.outbox) == 3


def test_disputed_gift_keeps_its_receipt_until_the_outcome(organization):
    receipt = _issue()
    gift = receipt.gift
    gift.status = GiftStatus.DISPUTED
    donor_services.gift_save(gift=gift)
    services.receipts_sync_with_gifts()
    receipt.refresh_from_db()
    assert receipt.voided_at is None


def test_the_full_refund_sync_runs_nightly_as_a_safety_net(settings):
    # Refunds reach receipts at once (tests/compliance/test_receipts_follow_refunds.py).
    schedule = Schedule.objects.get(func="compliance.tasks.receipts_sync_task")
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.next_run.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).hour == 3


def test_issue_receipts_command_sends_with_send(
    organization, tmp_path, capsys, django_capture_on_commit_callbacks
):
    donor = factories.make_donor(email="ayesha@example.org")
    factories.make_gift(donor=donor, amount=D("300.00"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_receipts", "--through", "2025-12-31", "--send", "--json")
    assert [m.to for m in mail.outbox] == [["ayesha@example.org"]]
    assert Receipt.objects.get().sent_at is not None
