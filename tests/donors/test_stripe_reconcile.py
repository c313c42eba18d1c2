"""`stripe_reconcile --since`: Stripe's charges and refunds against the books, with what the
webhooks missed recorded and every difference printed."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.models import Schedule

from donors.models import Gift
from donors.services import gift_save
from tests import factories
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("stripe_reconcile", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def peer(stripe_on):
    stripe_on.flush()
    return stripe_on


def test_reconciliation_records_a_gift_the_webhooks_missed(peer):
    seen = peer.pay(cents=5000, fee_cents=175, email="seen@example.org", name="Seen Donor")
    deliver(event("charge.succeeded", peer.charge_object(seen["charge"])))
    missed = peer.pay(cents=12000, fee_cents=378, email="missed@example.org", name="Missed Donor")
    since = datetime.date.today() - datetime.timedelta(days=1)
    result = json.loads(run("--since", since.isoformat(), "--json"))
    assert (result["charges"], result["recorded"]) == (2, 1)
    assert [d["kind"] for d in result["differences"]] == ["missing_gift"]
    assert result["differences"][0]["charge"] == missed["charge"]
    gift = Gift.objects.get(stripe_payment_id=missed["payment_intent"])
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("120.00"),
        Decimal("3.78"),
        Decimal("116.22"),
    )
    assert gift.donor.display_name == "Missed Donor"
    # Run again: nothing left to record, nothing differs.
    again = run("--since", since.isoformat())
    assert "Stripe and the books agree." in again
    assert Gift.objects.count() == 2


def test_reconciliation_reports_mismatches_and_gifts_stripe_does_not_know(peer):
    paid = peer.pay(cents=5000)
    deliver(event("charge.succeeded", peer.charge_object(paid["charge"])))
    gift = Gift.objects.get()
    gift.amount = Decimal("55.00")
    gift_save(gift=gift)
    refunded = peer.pay(cents=8000, email="r@example.org", name="Rafi Q")
    deliver(event("charge.succeeded", peer.charge_object(refunded["charge"])))
    refund = peer.refund(refunded, 2000)  # its webhook never came
    ghost = factories.make_gift(
        amount=Decimal("40.00"), method="card", processor="stripe",
        stripe_payment_id="pi_ghost", stripe_charge_id="ch_ghost",
        charged_at=datetime.datetime.now(datetime.UTC), gift_date=datetime.date.today(),
    )  # fmt: skip
    since = datetime.date.today() - datetime.timedelta(days=1)
    output = run("--since", since.isoformat())
    assert (
        f"amount_mismatch: Gift #{gift.pk} says $55.00; Stripe charge {paid['charge']} was $50.00."
        in output
    )
    assert (
        "refund_mismatch" in output
        and "Stripe refunded $20.00, the books had $0.00; now $20.00" in output
    )
    assert f"unknown_to_stripe: Gift #{ghost.pk}" in output and "pi_ghost" in output
    partly = Gift.objects.get(stripe_payment_id=refunded["payment_intent"])
    assert (partly.status, partly.amount_refunded) == ("partially_refunded", Decimal("20.00"))
    assert partly.adjustments.get().stripe_id == refund["id"]


def test_bad_date_is_a_clear_error(peer):
    with pytest.raises(CommandError, match="is not a date"):
        run("--since", "yesterday")


def test_nightly_schedule_exists_once_and_its_task_reconciles(peer):
    schedule = Schedule.objects.get(func="donors.tasks.stripe_reconcile_nightly")
    assert schedule.schedule_type == Schedule.DAILY
    from donors.tasks import stripe_reconcile_nightly

    peer.pay(cents=3000, email="n@example.org", name="Nadia N")
    summary = stripe_reconcile_nightly()
    assert (summary["charges"], summary["recorded"]) == (1, 1)
    assert Gift.objects.count() == 1
