"""Failed monthly payments: the donor is emailed once per failed attempt with a link to give a
new card (Stripe Checkout in setup mode, against the local Stripe peer), once more at the
end, and a payment that then goes through is counted as recovered revenue."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from donors.dunning import card_token
from donors.models import DunningNotice, DunningTemplate, PaymentFailure, RecurringPlan
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/my/card/[^/\s]+/)")


@pytest.fixture
def monthly(stripe_on, settings):
    """A $25.00 monthly gift, its first month paid and recorded."""
    settings.SITE_URL = "http://testserver"
    paid = stripe_on.subscribe(cents=2500, email="bilal@example.org")
    deliver(
        event("customer.subscription.created", stripe_on.subscription_object(paid["subscription"]))
    )
    deliver(
        event("invoice.paid", stripe_on.invoice_object(paid, subscription=paid["subscription"]))
    )
    mail.outbox.clear()
    return paid


def _link(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_a_failed_payment_emails_the_donor_once_with_a_working_card_link(stripe_on, monthly):
    failed = stripe_on.fail_next_invoice(monthly["subscription"])
    assert failed["status"] == "open"
    first = event("invoice.payment_failed", failed)
    assert deliver(first) == "received"
    assert deliver(first) == "duplicate"  # Stripe delivers it again
    # Another event of the same attempt (Stripe's older name for it) sends nothing either.
    deliver(event("invoice.payment_failed", failed))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bilal@example.org"]
    assert message.subject == (
        "Your monthly gift to Movement for Solidarity and Peace in Pakistan did not go through"
    )
    assert "$25.00" in message.body and "Dear Bilal Ahmed" in message.body
    assert "NY Attorney General's Charities Bureau" in message.body  # it asks for money
    plan = RecurringPlan.objects.get()
    assert plan.status == "past_due"
    failure = PaymentFailure.objects.get()
    assert (failure.state, failure.attempts, failure.amount) == ("at_risk", 1, Decimal("25.00"))
    assert failure.next_attempt_at is not None

    # The link opens the donor's card page, which hands off to Stripe Checkout in setup mode.
    page = Client().get(_link(message))
    assert page.status_code == 200
    assert "Update your card" in page.content.decode() and "$25.00" in page.content.decode()
    response = Client().post(_link(message))
    assert response.status_code == 303
    session_id = response["Location"].rsplit("/", 1)[1]
    params = stripe_on.sessions[session_id]["params"]
    assert params["mode"] == "setup"
    assert params["customer"] == monthly["customer"]
    assert params["metadata"]["subscription"] == monthly["subscription"]
    assert params["payment_method_types"] == ["card"]  # collected by Stripe, not here

    # The donor gives a new card at Stripe: it becomes the subscription's card and the open
    # invoice is paid with it at once.
    session = stripe_on.checkout_complete_setup(session_id)
    assert deliver(event("checkout.session.completed", session)) == "received"
    sub = stripe_on.store[f"subscription:{monthly['subscription']}"]
    intent = stripe_on.store[f"setup_intent:{session['setup_intent']}"]
    assert sub.default_payment_method == intent.payment_method
    invoice = stripe_on.store[f"invoice:{failed['id']}"]
    assert invoice.status == "paid"
    failure.refresh_from_db()
    assert failure.card_updated_at is not None

    # Stripe then reports the invoice paid: the payment is recovered and the plan active.
    payment = stripe_on.invoice_payment(failed["id"])
    paid = stripe_on.invoice_object(payment, subscription=monthly["subscription"])
    paid["id"] = failed["id"]
    deliver(event("invoice.paid", paid))
    failure.refresh_from_db()
    plan.refresh_from_db()
    assert (failure.state, failure.recovered_amount) == ("recovered", Decimal("25.00"))
    assert plan.status == "active"
    # No more about the failure; the recovered payment is a gift, thanked with its receipt.
    (thanks,) = mail.outbox[1:]
    assert "did not go through" not in thanks.subject
    assert [name for name, _, _ in thanks.attachments][0].startswith("receipt")


def test_each_failed_retry_sends_a_reminder_and_the_last_one_a_final_notice(stripe_on, monthly):
    failed = stripe_on.fail_next_invoice(monthly["subscription"])
    deliver(event("invoice.payment_failed", failed))
    second = stripe_on.failed_invoice_object(failed["id"], attempt=2)
    deliver(event("invoice.payment_failed", second))
    deliver(event("invoice.payment_failed", second))  # the same attempt from another event id
    # An older attempt delivered late sends nothing.
    deliver(event("invoice.payment_failed", failed))
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Your monthly gift to Movement for Solidarity and Peace in Pakistan did not go through",
        "Reminder",
    ]
    assert Client().get(_link(mail.outbox[1])).status_code == 200
    last = stripe_on.failed_invoice_object(failed["id"], attempt=3, final=True)
    deliver(event("invoice.payment_failed", last))
    assert len(mail.outbox) == 3
    assert (
        mail.outbox[2].subject
        == "Your monthly gift to Movement for Solidarity and Peace in Pakistan has ended"
    )
    assert "unless you update your card, it will be cancelled" in mail.outbox[2].body
    # Stripe then cancels the subscription: no second last notice, the failure is lost.
    deliver(
        event(
            "customer.subscription.deleted",
            stripe_on.subscription_object(monthly["subscription"], status="canceled"),
        )
    )
    assert len(mail.outbox) == 3
    failure = PaymentFailure.objects.get()
    assert (failure.state, failure.attempts) == ("lost", 3)
    assert list(failure.notices.values_list("kind", "attempt")) == [
        ("first", 1), ("reminder", 2), ("final", 3),
    ]  # fmt: skip
    assert DunningNotice.objects.filter(sent_at__isnull=True).count() == 0
    # The plan has ended: its card page says so and offers no card update.
    page = Client().get(_link(mail.outbox[0])).content.decode()
    assert "has ended" in page and "card-update-start" not in page
    assert Client().post(_link(mail.outbox[0])).status_code == 400


def test_a_cancellation_after_a_failure_sends_the_last_notice(stripe_on, monthly):
    failed = stripe_on.fail_next_invoice(monthly["subscription"])
    deliver(event("invoice.payment_failed", failed))
    deliver(
        event(
            "customer.subscription.deleted",
            stripe_on.subscription_object(monthly["subscription"], status="canceled"),
        )
    )
    assert len(mail.outbox) == 2
    assert "it has been cancelled" in mail.outbox[1].body
    assert "/my/card/" not in mail.outbox[1].body


def test_a_cancellation_without_a_failure_sends_nothing(stripe_on, monthly):
    deliver(
        event(
            "customer.subscription.deleted",
            stripe_on.subscription_object(monthly["subscription"], status="canceled"),
        )
    )
    assert mail.outbox == []


def test_recovered_revenue_is_on_the_dashboard(client, board, stripe_on, monthly):
    failed = stripe_on.fail_next_invoice(monthly["subscription"])
    deliver(event("invoice.payment_failed", failed))
    # The next month's invoice is paid (Stripe gave up on the failed one): the plan goes on.
    later = stripe_on.pay(cents=2500, customer_id=monthly["customer"], email="bilal@example.org",
                          name="Bilal Ahmed")  # fmt: skip
    deliver(
        event("invoice.paid", stripe_on.invoice_object(later, subscription=monthly["subscription"]))
    )
    failure = PaymentFailure.objects.get()
    assert (failure.state, failure.recovered_amount) == ("recovered", Decimal("25.00"))
    client.force_login(board)
    html = client.get("/dashboard/").content.decode()
    assert 'id="recovered-revenue">$25.00</b>' in html
    assert "1 failed monthly payment paid after all" in html


def test_card_links_are_refused_when_forged_or_expired(stripe_on, monthly, settings):
    plan = RecurringPlan.objects.get()
    token = card_token(plan)
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    response = Client().get(f"/my/card/{forged}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    # Another salt (another kind of signed link) is not a card link either.
    other = signing.dumps(plan.pk, salt="something-else", compress=True)
    assert Client().get(f"/my/card/{other}/").status_code == 404
    with mock.patch("time.time", return_value=time.time() - 31 * 86400):
        stale = card_token(plan)
    response = Client().get(f"/my/card/{stale}/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Client().post(f"/my/card/{stale}/").status_code == 410


def test_staff_edit_the_email_words_with_a_preview(client, staff, stripe_on, monthly):
    template = DunningTemplate.objects.get(kind="first")
    client.force_login(staff)
    url = f"/admin/donors/dunningtemplate/{template.pk}/change/"
    page = client.get(url).content.decode()
    assert "Ayesha Khan" in page  # the preview's sample donor
    response = client.post(
        url,
        {
            "subject": "We missed your gift, {{ donor_name }}",
            "body": "Hello {{ donor_name }}: {{ card_update_url }}\n{{ ny_disclosure }}",
        },
    )
    assert response.status_code == 302
    bad = client.post(url, {"subject": "x", "body": "{% if %}"})
    assert bad.status_code == 200 and "This template has an error" in bad.content.decode()
    deliver(event("invoice.payment_failed", stripe_on.fail_next_invoice(monthly["subscription"])))
    assert mail.outbox[0].subject == "We missed your gift, Bilal Ahmed"
    assert "/my/card/" in mail.outbox[0].body


def test_staff_see_plans_at_risk_and_recovered(client, staff, board, stripe_on, monthly):
    deliver(event("invoice.payment_failed", stripe_on.fail_next_invoice(monthly["subscription"])))
    client.force_login(staff)
    html = client.get("/admin/donors/paymentfailure/?state__exact=at_risk").content.decode()
    assert "Bilal Ahmed" in html and "At risk" in html and "$25.00 monthly" in html
    board_client = Client()
    board_client.force_login(board)
    assert board_client.get("/admin/donors/paymentfailure/").status_code == 403


def test_the_card_button_is_rate_limited(stripe_on, monthly):
    url = f"/my/card/{card_token(RecurringPlan.objects.get())}/"
    donor = Client()
    statuses = [donor.post(url).status_code for _ in range(11)]
    assert statuses == [303] * 10 + [429]
    assert "Too many attempts" in donor.post(url).content.decode()


def test_an_email_that_fails_to_send_is_sent_by_the_retry_once(stripe_on, monthly):
    from donors.services.dunning import dunning_notice_send

    failed = stripe_on.fail_next_invoice(monthly["subscription"])
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
        with pytest.raises(OSError):
            deliver(event("invoice.payment_failed", failed))
    notice = DunningNotice.objects.get()  # recorded with the event; the email still owed
    assert notice.sent_at is None and mail.outbox == []
    assert dunning_notice_send(notice_id=notice.pk) is True  # the task queue's retry
    assert dunning_notice_send(notice_id=notice.pk) is False  # and never twice
    assert len(mail.outbox) == 1
