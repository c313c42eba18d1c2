"""A donate link carrying an appeal's code (/donate/?appeal=CODE): the code goes through the
form into Stripe Checkout's metadata (once and monthly, on the local peer), and the signed
events that record the gift attribute it to the appeal. An unknown code loses no gift."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from donors.appeals import appeal_by_code, appeal_results
from donors.models import Appeal, Gift
from donors.services import appeal_save
from tests import factories
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def appeal(organization):
    campaign = factories.make_campaign(slug="spring-2026", name="Spring 2026")
    return appeal_save(appeal=Appeal(name="Spring letter", code="SPRING26", campaign=campaign))


def _session(peer):
    return list(peer.sessions.values())[-1]


def _form_post(client, page, **fields):
    """The donate form as the page sends it: its hidden fields as rendered, and the choices."""
    form = page.context["form"]
    data = {"amount": "50", "frequency": "once", "currency": form.offer.code,
            "appeal": form["appeal"].value() or "", "campaign": form["campaign"].value() or ""}  # fmt: skip
    data.update(fields)
    return client.post("/donate/", data)


def test_a_donate_link_keeps_the_appeal_code_through_checkout_to_the_gift(stripe_on, appeal):
    client = Client()
    page = client.get("/donate/?appeal=spring26")
    html = page.content.decode()
    assert 'name="appeal" value="SPRING26"' in html
    # The appeal's campaign is offered, the link naming none.
    assert '<option value="spring-2026" selected>' in html
    response = _form_post(client, page, amount="100")
    assert response.status_code == 303
    session = _session(stripe_on)
    params = session["params"]
    assert params["metadata"]["appeal"] == "SPRING26"
    assert params["payment_intent_data"]["metadata"]["appeal"] == "SPRING26"
    # Checkout, as the donation-page test pays it: the session's events, signed.
    moment = int(datetime.datetime(2026, 4, 2, 15, 0, tzinfo=datetime.UTC).timestamp())
    paid = stripe_on.pay(
        cents=10000, fee_cents=320, charged_at=moment, email="sana@example.org",
        name="Sana Mirza", metadata=params["payment_intent_data"]["metadata"],
    )  # fmt: skip
    completed = stripe_on.checkout_session_object(paid, metadata=session["metadata"])
    for evt in (
        event("checkout.session.completed", completed),
        event("charge.succeeded", stripe_on.charge_object(paid["charge"])),
        event("payment_intent.succeeded", stripe_on.payment_intent_object(paid["payment_intent"])),
    ):
        deliver(evt)
    gift = Gift.objects.get()
    assert (gift.appeal, gift.campaign, gift.amount) == (
        appeal, appeal.campaign, Decimal("100.00")
    )  # fmt: skip
    assert appeal_results(appeal).raised == Decimal("100.00")


def test_a_monthly_gift_from_a_donate_link_is_attributed_to_the_appeal(stripe_on, appeal):
    client = Client()
    page = client.get("/donate/?appeal=SPRING26")
    assert _form_post(client, page, amount="25", frequency="monthly").status_code == 303
    params = _session(stripe_on)["params"]
    assert params["mode"] == "subscription"
    metadata = params["subscription_data"]["metadata"]
    assert metadata["appeal"] == "SPRING26"
    # The subscription carries the session's metadata, as Stripe's does; its paid invoice and
    # the session's completion are the events that record the gift.
    paid = stripe_on.subscribe(cents=2500, fee_cents=103, metadata=metadata)
    invoice = stripe_on.invoice_object(paid, subscription=paid["subscription"], metadata=metadata)
    completed = stripe_on.checkout_session_object(
        paid, metadata=params["metadata"], mode="subscription",
        subscription=paid["subscription"], invoice=invoice["id"],
    )  # fmt: skip
    deliver(event("checkout.session.completed", completed))
    deliver(event("invoice.paid", invoice))
    deliver(event("charge.succeeded", stripe_on.charge_object(paid["charge"])))
    gift = Gift.objects.get()
    assert (gift.appeal, gift.campaign, gift.amount) == (
        appeal, appeal.campaign, Decimal("25.00")
    )  # fmt: skip
    assert gift.recurring_plan is not None


def test_an_unknown_code_is_dropped_and_the_gift_recorded_without_an_appeal(stripe_on, appeal):
    client = Client()
    page = client.get("/donate/?appeal=WINTER99")
    assert page.status_code == 200
    assert 'name="appeal" value=' not in page.content.decode()
    # A code typed into the form by hand, or a stale one: no appeal, still a gift.
    assert _form_post(client, page, appeal="NO SUCH\x00CODE").status_code == 303
    assert "appeal" not in _session(stripe_on)["params"]["metadata"]
    # An event naming a code nobody has (an appeal deleted since): recorded, no appeal.
    metadata = {"frequency": "once", "gift_amount": "40", "appeal": "WINTER99"}
    paid = stripe_on.pay(cents=4000, fee_cents=146, email="omar@example.org", name="Omar Ali",
                         metadata=metadata)  # fmt: skip
    deliver(event("checkout.session.completed",
                  stripe_on.checkout_session_object(paid, metadata=metadata)))  # fmt: skip
    deliver(event("charge.succeeded", stripe_on.charge_object(paid["charge"])))
    gift = Gift.objects.get()
    assert (gift.appeal, gift.amount) == (None, Decimal("40.00"))


def test_a_code_is_looked_up_in_any_case_and_a_broken_one_finds_nothing(appeal):
    assert appeal_by_code(" spring26 ") == appeal
    for broken in ("SPRING26\x00", "SPRING 26", "-SPRING26", "S" * 31, "", None, 26):
        assert appeal_by_code(broken) is None, broken
