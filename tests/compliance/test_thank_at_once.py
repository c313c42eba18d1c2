"""Every online gift is thanked at once: the thank-you email with its receipt attached, from a
template staff edit, sent once however often Stripe delivers the event or the queue runs the
task. A gift the organization does not receipt to its donor gets the not-a-receipt letter."""

from __future__ import annotations

import smtplib
from decimal import Decimal as D

import pytest
from django.core import mail
from django.test import Client

from compliance import tasks
from compliance.models import EmailTemplate, Receipt, ThankYouLetter
from donors import services as donor_services
from donors.models import DonorKind, Gift, GiftMethod
from donors.selectors import gifts_to_thank
from tests import factories
from tests.compliance import test_receipts_follow_refunds as follow_refunds
from tests.compliance.helpers import pdf_text
from tests.processes import Cluster, clean_env
from tests.stripe_peer import API_KEY, WEBHOOK_SECRET, event, post_event

pytestmark = pytest.mark.django_db

ORG = "Movement for Solidarity and Peace in Pakistan"


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def deliver(evt, capture):
    # Whatever the webhook leaves for after its commit (its tasks, and theirs) runs here.
    with capture(execute=True):
        response = post_event(Client(), evt)
    assert response.status_code == 200, response.content


def test_an_online_gift_gets_one_thank_you_with_its_receipt_attached(
    stripe_on, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    payment = stripe_on.pay(cents=25000, email="omar@example.org", name="Omar Malik")
    charge = event("charge.succeeded", stripe_on.charge_object(payment["charge"]))
    intent = event(
        "payment_intent.succeeded", stripe_on.payment_intent_object(payment["payment_intent"])
    )

    deliver(charge, capture)
    deliver(charge, capture)  # Stripe delivers it again
    deliver(intent, capture)  # and the payment's other event

    gift = Gift.objects.get()
    receipt = Receipt.objects.get(gift=gift)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["omar@example.org"]
    assert message.subject == f"Thank you for your gift to {ORG}"
    assert "Dear Omar Malik," in message.body
    assert "Thank you for your gift of $250.00" in message.body
    assert f"Your receipt {receipt.number} is attached" in message.body
    assert "NY Attorney General's Charities Bureau" in message.body  # {{ ny_disclosure }}
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"receipt-{receipt.number}.pdf", "application/pdf")
    text = pdf_text(content)
    assert receipt.number in text and "$250.00" in text and "Omar Malik" in text

    gift.refresh_from_db()
    assert (gift.thanked_via, gift.thanked_by) == ("email", None)
    assert gift.thanked_at is not None
    receipt.refresh_from_db()
    assert receipt.sent_to == "omar@example.org"  # never sent again on its own
    assert not gifts_to_thank().exists()

    # The task run again (a retry, a second worker) sends nothing more.
    assert "already thanked" in tasks.gift_thank_task(gift.pk)
    assert len(mail.outbox) == 1
    assert Receipt.objects.filter(gift=gift).count() == 1


def test_the_words_staff_edit_are_the_words_sent(stripe_on, django_capture_on_commit_callbacks):
    template = EmailTemplate.objects.get(key="thank_you_receipt")
    template.subject = "{{ donor_name }}, you made our day"
    template.body = "Salaam {{ donor_name }}! {{ amount }} arrived. Receipt {{ number }}.\n"
    template.save()
    payment = stripe_on.pay(cents=1800, email="sana@example.org", name="Sana Mir")

    deliver(
        event("charge.succeeded", stripe_on.charge_object(payment["charge"])),
        django_capture_on_commit_callbacks,
    )

    receipt = Receipt.objects.get()
    [message] = mail.outbox
    assert message.subject == "Sana Mir, you made our day"
    assert message.body == f"Salaam Sana Mir! $18.00 arrived. Receipt {receipt.number}.\n"


def test_a_failed_send_is_rolled_back_and_the_retry_sends_once(
    stripe_on, django_capture_on_commit_callbacks, monkeypatch
):
    payment = stripe_on.pay(cents=5000, email="omar@example.org", name="Omar Malik")
    from compliance import emails

    real_send = emails.send

    def down(**kwargs):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(emails, "send", down)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        deliver(
            event("charge.succeeded", stripe_on.charge_object(payment["charge"])),
            django_capture_on_commit_callbacks,
        )
    gift = Gift.objects.get()
    assert gift.thanked_at is None and not Receipt.objects.exists()
    assert list(gifts_to_thank()) == [gift]  # still waiting: the queue shows it

    monkeypatch.setattr(emails, "send", real_send)
    assert "thanked omar@example.org with receipt" in tasks.gift_thank_task(gift.pk)
    assert tasks.gift_thank_task(gift.pk).endswith("already thanked " + _how(gift))
    assert len(mail.outbox) == 1 and Receipt.objects.count() == 1


def _how(gift: Gift) -> str:
    from donors.services.thanks import thanked_in_words

    gift.refresh_from_db()
    return thanked_in_words(gift) + "."


def test_a_globalgiving_payout_thanks_its_donors_with_the_not_a_receipt_letter(
    organization, django_capture_on_commit_callbacks
):
    platform = factories.make_donor(kind=DonorKind.PLATFORM, organization_name="GlobalGiving")
    payout = factories.make_gift(donor=platform, method=GiftMethod.GLOBALGIVING, amount=D("300"))
    sana = factories.make_donor(first_name="Sana", last_name="Mir", email="sana@example.org")
    donor_services.soft_credit_add(gift=payout, donor=sana, kind="platform_donor", amount=D("120"))

    with django_capture_on_commit_callbacks(execute=True):  # the letters' own tasks
        result = tasks.gift_thank_task(payout.pk)

    assert result == f"Gift {payout.pk}: 1 not-a-receipt letter(s) queued."
    [message] = mail.outbox
    assert message.to == ["sana@example.org"]
    assert "THIS LETTER IS NOT A TAX RECEIPT." in message.body
    assert "GlobalGiving, through which you gave, sends you the tax receipt" in message.body
    assert not message.attachments
    assert not Receipt.objects.exists()
    assert ThankYouLetter.objects.get().sent_at is not None
    payout.refresh_from_db()
    assert payout.thanked_via == "email"
    # Again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.gift_thank_task(payout.pk)
    assert len(mail.outbox) == 1


def test_a_daf_grant_thanks_the_advisor_without_a_receipt(
    organization, django_capture_on_commit_callbacks
):
    sponsor = factories.make_donor(kind=DonorKind.DAF_SPONSOR, organization_name="Fidelity DAF")
    grant = factories.make_gift(donor=sponsor, method=GiftMethod.DAF_GRANT, amount=D("1000"))
    advisor = factories.make_donor(first_name="Ali", last_name="Raza", email="ali@example.org")
    donor_services.soft_credit_add(gift=grant, donor=advisor, kind="daf_advisor")

    with django_capture_on_commit_callbacks(execute=True):
        tasks.gift_thank_task(grant.pk)

    [message] = mail.outbox
    assert message.to == ["ali@example.org"]
    assert "THIS LETTER IS NOT A TAX RECEIPT." in message.body
    assert "recommended from your donor-advised fund" in message.body
    assert not Receipt.objects.exists()


def test_a_gift_that_cannot_be_thanked_by_email_stays_in_the_queue_with_the_reason(
    organization,
):
    donor = factories.make_donor(first_name="Bilal", last_name="Khan", email=None)
    gift = factories.make_gift(donor=donor)
    platform = factories.make_donor(kind=DonorKind.PLATFORM, organization_name="GlobalGiving")
    payout = factories.make_gift(donor=platform, method=GiftMethod.GLOBALGIVING)

    assert tasks.gift_thank_task(gift.pk) == (
        f"Gift {gift.pk} not thanked: Bilal Khan has no email address: thank them by letter "
        "or call."
    )
    assert "names nobody behind it to thank" in tasks.gift_thank_task(payout.pk)
    assert mail.outbox == [] and not Receipt.objects.exists()
    assert set(gifts_to_thank()) == {gift, payout}


@pytest.mark.django_db(transaction=True)
def test_the_same_gift_thanked_by_several_workers_at_once_is_thanked_once(postgres_only):
    """The queue may run a gift's task twice at the same moment (a retry, a staff click while
    the at-once task runs): one receipt, one email."""
    from tests.concurrency import run_at_once

    factories.make_organization()
    gift = factories.make_gift(donor=factories.make_donor(email="zara@example.org"))

    results, errors = run_at_once(tasks.gift_thank_task, [gift.pk] * 4)

    assert errors == []
    assert sum("with receipt" in r for r in results) == 1, results
    assert sum("already thanked" in r for r in results) == 3, results
    assert len(mail.outbox) == 1 and Receipt.objects.count() == 1


# With the task cluster running as in production: the shared database of the refunds' test.
shared_database = follow_refunds.shared_database


def test_a_running_task_cluster_sends_the_thank_you_within_seconds_of_the_webhook(
    shared_database, settings, monkeypatch, stripe_peer
):
    from django_q.conf import Conf
    from django_q.models import Task
    from django_q.tasks import async_task

    # Tasks go through the broker to the cluster, as in production.
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = stripe_peer.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    factories.make_organization()
    payment = stripe_peer.pay(cents=12500, email="hina@example.org", name="Hina Qureshi")
    env = clean_env(
        DATABASE_URL=shared_database, STRIPE_SECRET_KEY=API_KEY,
        STRIPE_API_BASE=stripe_peer.url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )  # fmt: skip

    with Cluster(env) as cluster:
        warm_up = async_task("math.floor", 2.5)
        assert follow_refunds.wait_for(lambda: Task.objects.filter(id=warm_up).exists(), seconds=90)
        charge = event("charge.succeeded", stripe_peer.charge_object(payment["charge"]))
        assert post_event(Client(), charge).status_code == 200
        assert post_event(Client(), charge).status_code == 200  # delivered again

        thanked = follow_refunds.wait_for(
            lambda: Gift.objects.filter(thanked_at__isnull=False).exists(), seconds=60
        )
        # Long enough for a second delivery's work, had it queued any.
        follow_refunds.wait_for(lambda: False, seconds=2)
        assert cluster.running()

    assert thanked is not None, cluster.output
    assert thanked < 10, f"thanked only {thanked:.1f}s after the webhook"
    receipt = Receipt.objects.get()
    assert receipt.sent_to == "hina@example.org"
    # The console email backend printed the one thank-you the cluster sent.
    assert cluster.output.count("Subject: Thank you for your gift to") == 1, cluster.output
    assert "To: hina@example.org" in cluster.output
    assert f"Your receipt {receipt.number} is attached" in cluster.output
    assert Task.objects.filter(func="compliance.tasks.gift_thank_task", success=True).count() == 1
