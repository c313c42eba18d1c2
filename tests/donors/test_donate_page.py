"""The public donation page: choices to a Stripe Checkout Session (on the local peer), and the
whole way round: the signed Checkout event records the gift once, right, in the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from donors.models import Gift
from donors.stripe.checkout import fee_covered_total
from tests import factories
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _post(client, **fields):
    data = {"amount": "50", "frequency": "once", **fields}
    return client.post("/donate/", data)


def _last_session(peer):
    return list(peer.sessions.values())[-1]


def test_page_is_public_with_campaign_from_link_and_ny_disclosure(stripe_on):
    factories.make_campaign(slug="gala-2026", name="Indiana Gala 2026")
    response = Client().get("/donate/?campaign=gala-2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="viewport"' in page
    assert "csrfmiddlewaretoken" in page
    assert '<option value="gala-2026" selected>' in page
    assert "NY Attorney General&#x27;s Charities Bureau" in page
    assert "Monthly" in page and "Other amount" in page


def test_one_time_gift_with_fee_covered_goes_to_checkout_with_the_choices(stripe_on):
    factories.make_campaign(slug="gala-2026", name="Indiana Gala 2026")
    response = _post(
        Client(), amount="other", other_amount="75.00", cover_fee="on", campaign="gala-2026",
        tribute_kind="honor", tribute_name="Ammi", tribute_notify_email="ammi@example.org",
    )  # fmt: skip
    session = _last_session(stripe_on)
    assert response.status_code == 303
    assert response["Location"] == session["url"]
    params = session["params"]
    assert params["mode"] == "payment"
    item = params["line_items"][0]["price_data"]
    assert int(item["unit_amount"]) == 7755  # (75 + 0.30) / (1 - 0.029), rounded up
    assert fee_covered_total(Decimal("75.00")) == Decimal("77.55")
    assert params["metadata"] == params["payment_intent_data"]["metadata"] == {
        "frequency": "once", "gift_amount": "75.00", "cover_fee": "yes",
        "campaign": "gala-2026", "tribute_kind": "honor", "tribute_name": "Ammi",
        "tribute_notify_email": "ammi@example.org",
    }  # fmt: skip
    assert params["success_url"].startswith("http://testserver/donate/thanks/")


def test_monthly_gift_goes_to_checkout_in_subscription_mode(stripe_on):
    response = _post(Client(), amount="25", frequency="monthly")
    assert response.status_code == 303
    params = _last_session(stripe_on)["params"]
    assert params["mode"] == "subscription"
    price = params["line_items"][0]["price_data"]
    assert (int(price["unit_amount"]), price["recurring"]["interval"]) == (2500, "month")
    assert params["subscription_data"]["metadata"]["frequency"] == "monthly"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "other", "other_amount": ""}, "Enter the amount you would like to give."),
        ({"amount": "other", "other_amount": "abc"}, "Enter an amount in dollars"),
        ({"amount": "other", "other_amount": "1.00"}, "The smallest online gift is $5.00."),
        ({"amount": "other", "other_amount": "10.005"}, "dollars and cents"),
        ({"amount": "other", "other_amount": "900000"}, "please contact us"),
        ({"amount": "13"}, "Select a valid choice"),
        ({"tribute_kind": "memory"}, "Name the person this gift honors or remembers."),
        ({"tribute_notify_email": "not-an-email", "tribute_kind": "honor", "tribute_name": "A"},
         "Enter a valid email address."),
        ({"campaign": "no-such-campaign"}, "Select a valid choice"),
    ],
)  # fmt: skip
def test_invalid_input_gets_a_clear_message_and_no_checkout(stripe_on, fields, message):
    before = len(stripe_on.sessions)
    response = _post(Client(), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(stripe_on.sessions) == before


def test_stripe_unreachable_is_a_message_not_a_500(stripe_on, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = _post(Client())
    assert response.status_code == 503
    assert "Online giving is unavailable right now" in response.content.decode()


def test_form_is_rate_limited_per_address(stripe_on):
    client = Client()
    for _ in range(10):
        assert _post(client).status_code == 303
    response = _post(client)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_thank_you_page(stripe_on):
    response = Client().get("/donate/thanks/?session_id=cs_test_x")
    assert response.status_code == 200
    assert "Thank you for your gift" in response.content.decode()


def test_donation_through_the_page_appears_once_in_the_admin_with_fee_net_donor_and_date(
    stripe_on, staff
):
    factories.make_campaign(slug="gala-2026", name="Indiana Gala 2026")
    response = _post(Client(), amount="100", campaign="gala-2026", cover_fee="on")
    assert response.status_code == 303
    session = _last_session(stripe_on)
    # Checkout, simulated: the donor pays in the peer what the session asked for, and Stripe
    # sends its events (the session's completion, the payment intent's, the charge's).
    cents = int(session["params"]["line_items"][0]["price_data"]["unit_amount"])
    moment = int(datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC).timestamp())
    paid = stripe_on.pay(
        cents=cents, fee_cents=334, charged_at=moment, email="sana@example.org",
        name="Sana Mirza", metadata=session["params"]["payment_intent_data"]["metadata"],
    )  # fmt: skip
    completed = stripe_on.checkout_session_object(paid, metadata=session["metadata"])
    for evt in (
        event("checkout.session.completed", completed),
        event("charge.succeeded", stripe_on.charge_object(paid["charge"])),
        event("payment_intent.succeeded", stripe_on.payment_intent_object(paid["payment_intent"])),
    ):
        deliver(evt)
        deliver(evt)
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("103.30"),
        Decimal("3.34"),
        Decimal("99.96"),
    )
    assert gift.gift_date == datetime.date(2026, 2, 28)  # 18:30 in California
    assert gift.campaign.slug == "gala-2026"
    client = Client()
    client.force_login(staff)
    listing = client.get("/admin/donors/gift/?q=Sana")
    assert [g.pk for g in listing.context["cl"].result_list] == [gift.pk]
    assert "Sana Mirza" in listing.content.decode()
    page = client.get(f"/admin/donors/gift/{gift.pk}/change/").content.decode()
    for text in ("Sana Mirza", "103.30", "3.34", "99.96", "2026-02-28", paid["payment_intent"]):
        assert text in page, text
