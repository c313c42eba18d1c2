"""Giving in another currency through the donation page: the organization profile says which
currencies besides US dollars the page offers (and the suggested amounts in each); the page
sends the donor to Checkout in that currency, once or monthly; the gift is recorded in the US
dollars Stripe settled, with the pounds kept; the thank-you page and the receipt say both.

Figures, by hand: £100.00 settled at 1.274 is $127.40; the peer's fee is 5.4% + 30c of the
dollars: 6.8796 + 0.30, $7.18; net $120.22. Covering the fee on £50: (50 + 0.25) / 0.946 =
53.118..., rounded up to £53.12.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from compliance.models import Receipt
from compliance.pdf import receipt_pdf
from donors import currencies
from donors.models import Gift, Organization
from donors.services import organization_save
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.admin_forms import form_data
from tests.donors.test_stripe_webhook import deliver
from tests.stripe_peer import event

pytestmark = pytest.mark.django_db

CHANGE_URL = "/admin/donors/organization/1/change/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offering(stripe_on):
    """The profile offering pounds, Canadian dollars, euros, dirhams and yen."""
    organization = Organization.objects.get()
    organization.donation_currencies = "GBP CAD EUR AED JPY"
    organization.suggested_amounts = "GBP: 20, 50, 100, 250"
    organization_save(organization=organization)
    return stripe_on


def _post(**fields):
    data = {"amount": "50", "frequency": "once", **fields}
    return Client().post("/donate/", data)


def _last_session(peer):
    return list(peer.sessions.values())[-1]


def _page(path="/donate/") -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_administrator_sets_the_currencies_and_their_suggested_amounts(
    client, organization, administrator
):
    client.force_login(administrator)
    data = form_data(client.get(CHANGE_URL), "organization")
    data["donation_currencies"] = "gbp, CAD EUR AED"
    data["suggested_amounts"] = "GBP: 10, 25, 50\nAED: 100, 500"
    assert client.post(CHANGE_URL, data).status_code == 302
    offers = Organization.current().donation_offers()
    assert [o.code for o in offers] == ["USD", "GBP", "CAD", "EUR", "AED"]
    assert offers[1].suggested == (Decimal("10"), Decimal("25"), Decimal("50"))
    assert offers[2].suggested == currencies.CURRENCIES["CAD"].suggested  # the defaults
    page = _page()
    assert '<option value="GBP">British pounds (GBP)</option>' in page
    assert "Show amounts in this currency" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("donation_currencies", "GBP XYZ", "&#x27;XYZ&#x27; is not one of the currencies"),
        ("donation_currencies", "USD GBP", "US dollars are always offered"),
        ("donation_currencies", "GBP gbp", "GBP is listed twice."),
        ("suggested_amounts", "GBP: 1, 25", "£1.00 is outside the gifts accepted in British"),
        ("suggested_amounts", "JPY: 5000.50", "not an amount in Japanese yen (whole yen"),
        ("suggested_amounts", "pounds 10 20", "Line 1: write a currency code, a colon"),
        ("suggested_amounts", "GBP: 10\nGBP: 20", "Line 2: GBP has suggested amounts on an"),
        ("suggested_amounts", "EUR: 5, 10, 15, 20, 25, 30, 35", "give 1 to 6 suggested"),
    ],
)
def test_a_currencies_setting_that_cannot_be_used_is_refused_with_why(
    client, organization, administrator, field, value, message
):
    client.force_login(administrator)
    data = form_data(client.get(CHANGE_URL), "organization")
    data[field] = value
    response = client.post(CHANGE_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organization.current().donation_offers()[0].code == "USD"
    assert len(Organization.current().donation_offers()) == 1


def test_page_offers_dollars_only_until_the_profile_names_other_currencies(stripe_on):
    page = _page()
    assert 'name="currency"' in page and 'value="USD"' in page
    assert "Show amounts in this currency" not in page
    assert "$50" in page and "Other amount (USD)" in page


def test_page_shows_the_suggested_amounts_of_the_chosen_currency(offering):
    page = _page("/donate/?currency=GBP")
    assert '<option value="GBP" selected>British pounds (GBP)</option>' in page
    for label in ("£20", "£50", "£100", "£250", "Other amount (GBP)", "Amount in British pounds"):
        assert label in page, label
    assert "$25" not in page.split('id="donate-form"')[1]  # (the script's data has them)
    assert "NY Attorney General&#x27;s Charities Bureau" in page  # the disclosure stays
    assert 'id="donate-offers"' in page and "donors/donate.js" in page
    dirhams = _page("/donate/?currency=AED")
    assert "AED 100" in dirhams and "AED 2,500" in dirhams
    # A currency the organization does not take is simply not chosen: dollars.
    assert '<option value="USD" selected>' in _page("/donate/?currency=CHF")


def test_a_gift_in_pounds_goes_to_checkout_in_pounds(offering):
    response = _post(currency="GBP", amount="50", cover_fee="on")
    assert response.status_code == 303
    params = _last_session(offering)["params"]
    price = params["line_items"][0]["price_data"]
    assert (price["currency"], int(price["unit_amount"])) == ("gbp", 5312)
    assert params["metadata"]["gift_currency"] == "GBP"
    assert params["metadata"]["gift_amount"] == "50"


def test_a_monthly_gift_in_pounds_is_a_monthly_price_in_pounds(offering):
    response = _post(currency="GBP", amount="other", other_amount="£30", frequency="monthly")
    assert response.status_code == 303
    params = _last_session(offering)["params"]
    assert params["mode"] == "subscription"
    price = params["line_items"][0]["price_data"]
    assert (price["currency"], int(price["unit_amount"])) == ("gbp", 3000)
    assert price["recurring"]["interval"] == "month"
    assert params["subscription_data"]["metadata"]["gift_currency"] == "GBP"


def test_yen_are_whole_and_sent_to_stripe_as_yen(offering):
    assert _post(currency="JPY", amount="other", other_amount="5,000").status_code == 303
    price = _last_session(offering)["params"]["line_items"][0]["price_data"]
    assert (price["currency"], int(price["unit_amount"])) == ("jpy", 5000)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"currency": "GBP", "amount": "other", "other_amount": "2"},
         "The smallest online gift in British pounds is £5.00."),
        ({"currency": "GBP", "amount": "other", "other_amount": "abc"},
         "Enter an amount in British pounds, such as 75 or 75.50."),
        ({"currency": "GBP", "amount": "other", "other_amount": "10.505"},
         "Enter an amount in British pounds to two decimals"),
        ({"currency": "GBP", "amount": "other", "other_amount": "50000"},
         "For gifts over £20,000 please contact us"),
        ({"currency": "JPY", "amount": "other", "other_amount": "5000.5"},
         "Enter a whole amount in Japanese yen, such as 5000."),
        ({"currency": "JPY", "amount": "other", "other_amount": "100"},
         "The smallest online gift in Japanese yen is JPY 700."),
        ({"currency": "GBP", "amount": "25"}, "Select a valid choice"),  # a dollar preset
        ({"currency": "CHF"}, "Select a valid choice"),  # not offered
    ],
)  # fmt: skip
def test_amounts_are_checked_in_the_chosen_currency(offering, fields, message):
    before = len(offering.sessions)
    response = _post(**fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(offering.sessions) == before


def test_a_pound_gift_through_the_page_is_recorded_receipted_and_thanked_in_both(offering, staff):
    factories.ensure_benefit_limits()
    assert _post(currency="GBP", amount="100").status_code == 303
    session = _last_session(offering)
    thanks = offering.checkout_pay_events(session["id"])
    # Stripe tells the donor's return before, or after, its events: both are thanked.
    before = Client().get(thanks["success_url"]).content.decode()
    assert "You gave <strong>£100.00</strong>" in before
    assert "Your tax receipt will state the US dollars Stripe converts it to." in before
    for evt in thanks["events"]:
        assert deliver(evt) == "received"
        assert deliver(evt) == "duplicate"
    gift = Gift.objects.get()
    assert (gift.amount, gift.fee, gift.net) == (
        Decimal("127.40"),
        Decimal("7.18"),
        Decimal("120.22"),
    )
    assert (gift.original_currency, gift.original_amount) == ("GBP", Decimal("100.000"))
    assert gift.exchange_rate == Decimal("1.274")
    after = Client().get(thanks["success_url"]).content.decode()
    assert "You gave <strong>£100.00</strong>" in after
    assert "It was recorded as <strong>US$127.40</strong>" in after

    # The gift was thanked at once with its receipt, in dollars, naming the pounds.
    (receipt,) = Receipt.objects.filter(gift=gift, voided_at=None)
    assert receipt.amount == Decimal("127.40")
    text = re.sub(r"\s+", " ", pdf_text(receipt_pdf(receipt)))
    assert "Amount received: $127.40 (paid as £100.00)" in text
    (thanks,) = [m for m in mail.outbox if m.attachments]
    assert "$127.40 (paid as £100.00)" in thanks.body

    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/donors/gift/{gift.pk}/change/").content.decode()
    for text in ("127.40", "7.18", "120.22", "GBP", "100.000", "Harriet Shah"):
        assert text in page, text


def test_a_yen_refund_is_counted_in_whole_yen(offering):
    """¥10,000 settled as $68.00; a ¥2,500 refund is a quarter: $17.00 (not ¥25)."""
    payment = offering.pay(cents=10000, currency="jpy", settled_cents=6800, fee_cents=397,
                           exchange_rate=0.0068)  # fmt: skip
    deliver(event("charge.succeeded", offering.charge_object(payment["charge"])))
    gift = Gift.objects.get()
    assert (gift.amount, gift.original_currency, gift.original_amount) == (
        Decimal("68.00"),
        "JPY",
        Decimal("10000.000"),
    )
    deliver(event("refund.created", offering.refund(payment, 2500)))
    gift.refresh_from_db()
    assert gift.adjustments.get().amount == Decimal("17.00")
    assert (gift.status, gift.amount_refunded) == ("partially_refunded", Decimal("17.00"))


def test_thank_you_page_without_a_known_session_just_thanks(offering):
    for query in ("", "?session_id=cs_test_unknown", "?session_id=not-a-session%00"):
        response = Client().get(f"/donate/thanks/{query}")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Thank you for your gift" in page and "You gave" not in page


def test_thank_you_page_of_a_monthly_gift_in_pounds_shows_its_first_payment_in_both(offering):
    """£20.00 a month, the first settled as $25.29: found by the session's invoice."""
    assert _post(currency="GBP", amount="20", frequency="monthly").status_code == 303
    session = _last_session(offering)
    paid = offering.subscribe(cents=2000, currency="gbp", settled_cents=2529, fee_cents=103,
                              exchange_rate=1.2645, metadata={"frequency": "monthly"})  # fmt: skip
    invoice = offering.invoice_object(paid, subscription=paid["subscription"])
    session.update(mode="subscription", payment_status="paid", amount_total=2000,
                   currency="gbp", invoice=invoice["id"], payment_intent=None)  # fmt: skip
    url = f"/donate/thanks/?session_id={session['id']}"
    page = Client().get(url).content.decode()
    assert "You gave <strong>£20.00</strong> (your first monthly gift)." in page
    assert "Your tax receipt will state the US dollars" in page
    deliver(event("invoice.paid", invoice))
    assert Gift.objects.get().stripe_invoice_id == invoice["id"]
    page = Client().get(url).content.decode()
    assert "It was recorded as <strong>US$25.29</strong>" in page
