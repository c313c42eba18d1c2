"""A Stripe payment in another currency (a British or Canadian donor): recorded at the US
dollars Stripe settled it as, with what the donor paid kept on the gift, receipted in dollars;
what the books cannot record is on the back office's "needs attention" list and counted on
/healthz, never dropped. Through the signed webhook, the reconciliation command, the admin
and the health endpoint, against the local Stripe peer.

Figures, by hand:
- £100.00 settled as $126.43 (rate 1.2643), fee $4.02: net $122.41. A £25.00 refund is a
  quarter of the dollars: $126.43 / 4 = $31.6075, $31.61; kept $126.43 - $31.61 = $94.82.
- CA$150.00 settled as $109.80 (rate 0.732), fee $3.48: net $106.32.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from compliance.models import Receipt
from compliance.pdf import receipt_pdf
from donors.models import Gift, RecurringPlan, StripeEvent
from donors.services.online import ATTENTION_AFTER_ATTEMPTS
from donors.stripe.events import event_process, events_retry
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.test_stripe_webhook import deliver, one_time_events
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db

POUNDS = {"currency": "gbp", "settled_cents": 12643, "fee_cents": 402, "exchange_rate": 1.2643}


@pytest.fixture
def peer(stripe_on):
    stripe_on.flush()
    return stripe_on


def _pay_pounds(peer, **extra):
    return peer.pay(cents=10000, email="harriet@example.co.uk", name="Harriet Shah",
                    address={"line1": "4 Mill Lane", "city": "Leeds", "postal_code": "LS1 4AP",
                             "country": "GB"}, **POUNDS, **extra)  # fmt: skip


def _health(client=None) -> dict:
    response = (client or Client()).get("/healthz")
    assert response.status_code == 200
    return response.json()


def test_pound_gift_is_recorded_once_at_the_dollars_stripe_settled(peer):
    payment = _pay_pounds(peer)
    events = one_time_events(peer, payment, metadata={"campaign": ""})
    for name in ("charge", "payment_intent", "checkout"):
        assert deliver(events[name]) == "received"
    for name in ("checkout", "charge"):  # Stripe's retries
        assert deliver(events[name]) == "duplicate"
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("126.43"),
        Decimal("4.02"),
        Decimal("122.41"),
    )
    assert (gift.original_currency, gift.original_amount) == ("GBP", Decimal("100.000"))
    assert gift.exchange_rate == Decimal("1.2643")
    assert gift.donor.display_name == "Harriet Shah"
    assert gift.donor.time_zone == "Europe/London"
    assert not StripeEvent.objects.exclude(attention="").exists()
    assert _health()["stripe"] == {"needs_attention": 0}


def test_payment_intent_event_alone_records_the_pound_gift_in_dollars(peer):
    payment = _pay_pounds(peer)
    intent = event(
        "payment_intent.succeeded", peer.payment_intent_object(payment["payment_intent"])
    )
    assert deliver(intent) == "received"
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee, gift.original_amount) == (
        Decimal("126.43"),
        Decimal("4.02"),
        Decimal("100.000"),
    )


def test_receipt_states_the_dollars_and_the_pounds_paid(peer, organization):
    factories.ensure_benefit_limits()
    payment = _pay_pounds(peer)
    deliver(event("charge.succeeded", peer.charge_object(payment["charge"])))
    # Issued at once with the donor's thank-you (compliance.services.thanks).
    receipt = Receipt.objects.get(gift=Gift.objects.get())
    assert receipt.amount == Decimal("126.43")
    text = re.sub(r"\s+", " ", pdf_text(receipt_pdf(receipt)))
    assert "Amount received: $126.43 (paid as £100.00)" in text


def test_refunds_in_pounds_are_counted_at_the_gifts_rate(peer):
    payment = _pay_pounds(peer)
    deliver(event("charge.succeeded", peer.charge_object(payment["charge"])))
    deliver(event("refund.created", peer.refund(payment, 2500)))
    gift = Gift.objects.get()
    assert gift.adjustments.get().amount == Decimal("31.61")
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("31.61"))
    assert gift.amount - gift.amount_refunded == Decimal("94.82")
    deliver(event("refund.created", peer.refund(payment, 7500)))
    gift.refresh_from_db()
    # £25 + £75 is all of it: all of the dollars, whatever each share rounded to.
    assert (gift.status, gift.amount_refunded) == ("refunded", Decimal("126.43"))


def test_payment_not_settled_in_dollars_needs_attention_until_staff_resolve_it(peer, staff):
    payment = peer.pay(cents=8000, currency="eur", settled_currency="eur", fee_cents=262)
    evt = event("charge.succeeded", peer.charge_object(payment["charge"]))
    assert deliver(evt) == "received"
    assert not Gift.objects.exists()
    stored = StripeEvent.objects.get()
    assert stored.needs_attention and stored.processed_at is not None
    assert (
        f"Stripe charge {payment['charge']} was paid as €80.00 and settled in EUR, not US "
        "dollars" in stored.attention
    )
    assert deliver(evt) == "duplicate"  # a redelivery is not a second entry
    assert _health()["stripe"] == {"needs_attention": 1}
    # Not retried by the sweep: retrying cannot change the currency.
    assert events_retry(now=timezone.now() + datetime.timedelta(hours=2)) == 0

    client = Client()
    client.force_login(staff)
    listing = client.get("/admin/donors/stripeevent/?state=attention")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert payment["charge"] in page and "Needs attention" in page and evt["id"] in page
    change_url = f"/admin/donors/stripeevent/{stored.pk}/change/"
    refused = client.post(change_url, {"resolution": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    response = client.post(
        change_url,
        {"resolution": "Recorded by hand as $86.20 from the payout report."},
        follow=True,
    )
    assert response.redirect_chain[-1][1] == 302
    assert "was changed successfully" in response.content.decode()
    stored.refresh_from_db()
    assert not stored.needs_attention and stored.resolved_by == staff
    assert stored.resolution == "Recorded by hand as $86.20 from the payout report."
    entry = LogEntry.objects.get_for_object(stored).get()
    assert entry.actor == staff
    assert entry.changes_dict["resolution"][1] == stored.resolution
    assert _health()["stripe"] == {"needs_attention": 0}
    assert (
        evt["id"] not in client.get("/admin/donors/stripeevent/?state=attention").content.decode()
    )
    assert evt["id"] in client.get("/admin/donors/stripeevent/?state=resolved").content.decode()


def test_staff_mark_events_resolved_from_the_list(peer, staff):
    for cents in (1000, 2000):
        payment = peer.pay(cents=cents, currency="eur", settled_currency="eur")
        deliver(event("charge.succeeded", peer.charge_object(payment["charge"])))
    client = Client()
    client.force_login(staff)
    pks = [str(pk) for pk in StripeEvent.objects.values_list("pk", flat=True)]
    response = client.post(
        "/admin/donors/stripeevent/",
        {"action": "mark_resolved", "_selected_action": pks},
        follow=True,
    )
    assert "2 events marked resolved." in response.content.decode()
    assert not StripeEvent.objects.filter(resolved_at__isnull=True).exists()
    assert LogEntry.objects.filter(actor=staff).count() == 2
    assert _health()["stripe"] == {"needs_attention": 0}


def test_an_event_failing_for_an_hour_needs_attention_until_it_is_recorded(peer, settings):
    payment = peer.pay(cents=5000, fee_cents=175)
    evt = event("payment_intent.succeeded", peer.payment_intent_object(payment["payment_intent"]))
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable
    assert deliver(evt) == "received"  # its first try failed
    stored = StripeEvent.objects.get()
    for _ in range(ATTENTION_AFTER_ATTEMPTS - 2):
        with pytest.raises(Exception, match="Stripe"):
            event_process(stored.pk)
    stored.refresh_from_db()
    assert stored.attempts == ATTENTION_AFTER_ATTEMPTS - 1 and not stored.needs_attention
    with pytest.raises(Exception, match="Stripe"):
        event_process(stored.pk)
    stored.refresh_from_db()
    assert stored.needs_attention
    assert stored.attention.startswith(
        f"Not recorded after {ATTENTION_AFTER_ATTEMPTS} tries (still retrying): StripeUnavailable"
    )
    assert _health()["stripe"] == {"needs_attention": 1}
    settings.STRIPE_API_BASE = peer.url
    assert events_retry(now=timezone.now() + datetime.timedelta(hours=2)) == 1
    assert Gift.objects.get().amount == Decimal("50.00")
    stored.refresh_from_db()
    assert stored.processed_at is not None and not stored.needs_attention
    assert _health()["stripe"] == {"needs_attention": 0}


def _reconcile(*args) -> str:
    out = io.StringIO()
    call_command("stripe_reconcile", *args, stdout=out)
    return out.getvalue()


def test_reconciliation_records_a_missed_canadian_gift_and_lists_what_it_cannot_record(peer):
    canadian = peer.pay(cents=15000, currency="cad", settled_cents=10980, fee_cents=348,
                        exchange_rate=0.732, email="liam@example.ca", name="Liam Tremblay")  # fmt: skip
    euros = peer.pay(cents=8000, currency="eur", settled_currency="eur", email="e@example.org")
    refund = peer.refund(euros, 3000)  # of a payment the books could not record either
    since = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    output = _reconcile("--since", since)
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("109.80"),
        Decimal("3.48"),
        Decimal("106.32"),
    )
    assert (gift.original_currency, gift.original_amount, gift.exchange_rate) == (
        "CAD",
        Decimal("150.000"),
        Decimal("0.732"),
    )
    assert (
        f"- missing_gift: Stripe charge {canadian['charge']} (CA$150.00, settled as $109.80) "
        f"had no gift: recorded now as gift #{gift.pk}." in output
    )
    assert (
        f"- unrecordable_charge: Stripe charge {euros['charge']} (€80.00) could not be recorded: "
        in output
    )
    assert "needs attention list" in output
    assert f"- unrecordable_refund: Stripe refund {refund['id']} (€30.00, succeeded) " in output
    listed = StripeEvent.objects.get()
    assert listed.event_id == f"reconcile_{euros['charge']}" and listed.needs_attention
    assert "settled in EUR, not US dollars" in listed.attention
    assert _health()["stripe"] == {"needs_attention": 1}

    # Again: the Canadian gift agrees; the charge in euros is reported again, listed once.
    result = json.loads(_reconcile("--since", since, "--json"))
    assert (result["charges"], result["recorded"]) == (2, 0)
    assert [d["kind"] for d in result["differences"]] == [
        "unrecordable_charge",
        "unrecordable_refund",
    ]
    assert result["differences"][0]["stripe_amount"] == "80.00"
    assert result["differences"][0]["currency"] == "EUR"
    assert StripeEvent.objects.count() == 1 and Gift.objects.count() == 1


def test_reconciliation_counts_a_pound_refund_in_dollars(peer):
    payment = _pay_pounds(peer)
    deliver(event("charge.succeeded", peer.charge_object(payment["charge"])))
    refund = peer.refund(payment, 2500)  # its webhook never came
    since = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    output = _reconcile("--since", since)
    gift = Gift.objects.get()
    assert (
        f"- refund_mismatch: Gift #{gift.pk}: Stripe refunded $31.61, the books had $0.00; "
        "now $31.61." in output
    )
    assert f"- missing_refund: Stripe refund {refund['id']}" not in output  # recorded above
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("31.61"))
    assert "Stripe and the books agree." in _reconcile("--since", since)


def test_monthly_plan_in_pounds_takes_the_dollars_of_its_payments(peer):
    """£20.00 a month, the first settled as $25.29 (rate 1.2645) with a $1.03 fee: net
    $24.26. The plan's amount is that of its gifts in dollars, never 20 read as dollars."""
    paid = peer.subscribe(cents=2000, currency="gbp", settled_cents=2529, fee_cents=103,
                          exchange_rate=1.2645, metadata={"frequency": "monthly"})  # fmt: skip
    invoice = peer.invoice_object(paid, subscription=paid["subscription"])
    events = {
        "checkout": event("checkout.session.completed", peer.checkout_session_object(
            paid, mode="subscription", subscription=paid["subscription"], invoice=invoice["id"],
        )),
        "invoice": event("invoice.paid", invoice),
        "subscription": event(
            "customer.subscription.updated", peer.subscription_object(paid["subscription"])
        ),
    }  # fmt: skip
    for order in itertools.permutations(events):
        with transaction.atomic():
            for name in order:
                assert deliver(events[name]) == "received", order
            gift = Gift.objects.get()
            assert (gift.amount, gift.fee, gift.net) == (
                Decimal("25.29"), Decimal("1.03"), Decimal("24.26"),
            ), order  # fmt: skip
            assert (gift.original_currency, gift.original_amount) == ("GBP", Decimal("20.000"))
            plan = RecurringPlan.objects.get()
            assert gift.recurring_plan == plan, order
            assert (plan.amount, plan.status) == (Decimal("25.29"), "active"), order
            transaction.set_rollback(True)
