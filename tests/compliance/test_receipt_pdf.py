"""The receipt PDF, read back as text, and the public verification page."""

import re
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from compliance import services
from compliance.pdf import receipt_pdf
from donors import services as donor_services
from donors.models import DonorKind, GiftMethod
from tests import factories
from tests.compliance.helpers import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()
    cache.clear()


def _receipt(organization, **gift_fields):
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    donor_services.donor_address_add(
        donor=donor, line1="12 Elm St", city="Carmel", region="IN", postal_code="46032"
    )
    return services.receipt_issue(gift=factories.make_gift(donor=donor, **gift_fields))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_receipt_pdf_states_every_required_element(organization):
    receipt = _receipt(organization, amount=D("300.00"))
    data = receipt_pdf(receipt)
    assert len(pdf_pages(data)) == 1
    page = pdf_pages(data)[0]
    assert [round(float(v)) for v in page.mediabox[2:]] == [612, 792]  # US letter
    text = _flat(pdf_text(data))
    for expected in [
        "Movement for Solidarity and Peace in Pakistan",
        "1 Liberty Plaza",
        "New York, NY 10006",
        "EIN 12-3456789",
        "Section 501(c)(3)",
        f"Receipt {receipt.number}",
        "Issued ",
        "Ayesha Khan",
        "12 Elm St",
        "Carmel, IN 46032",
        "Date of contribution: March 15, 2025",
        "Amount received: $300.00",
        "No goods or services were provided in exchange for this contribution.",
        "Sara Ahmed",
        "Treasurer",
        "NY Attorney General's Charities Bureau",
        f"/receipts/verify/{receipt.verification_code}/",
    ]:
        assert expected in text, expected
    assert "VOID" not in text


def test_receipt_with_a_benefit_states_its_value_and_the_deductible_amount(organization):
    receipt = _receipt(
        organization,
        amount=D("150.00"),
        benefit_value=D("60.00"),
        benefit_description="dinner for one",
    )
    text = _flat(pdf_text(receipt_pdf(receipt)))
    assert "you received dinner for one" in text
    assert "good-faith estimated value of $60.00" in text
    assert "minus that value: $90.00" in text
    assert "No goods or services" not in text


def test_small_payment_with_a_benefit_still_prints_value_and_deductible(organization):
    receipt = _receipt(
        organization, amount=D("50.00"), benefit_value=D("20.00"), benefit_description="a scarf"
    )
    text = _flat(pdf_text(receipt_pdf(receipt)))
    assert "value of $20.00" in text and ": $30.00." in text


def test_stock_receipt_shows_shares_and_issuer_and_no_dollar_value(organization):
    receipt = _receipt(
        organization,
        method=GiftMethod.STOCK,
        amount=D("5230.00"),
        stock_shares=D("25"),
        stock_issuer="Apple Inc.",
    )
    text = _flat(pdf_text(receipt_pdf(receipt)))
    assert "25 shares of Apple Inc." in text
    assert "$" not in text
    assert "5,230" not in text and "5230" not in text


def test_daf_receipt_is_addressed_to_the_sponsor(organization):
    sponsor = factories.make_donor(
        kind=DonorKind.DAF_SPONSOR, organization_name="Schwab Charitable"
    )
    receipt = services.receipt_issue(
        gift=factories.make_gift(donor=sponsor, method=GiftMethod.DAF_GRANT)
    )
    text = _flat(pdf_text(receipt_pdf(receipt)))
    assert "Schwab Charitable" in text
    assert "acknowledged to the sponsoring organization" in text


def test_void_receipt_pdf_is_marked_void_with_its_number(organization):
    receipt = _receipt(organization)
    services.receipt_void(receipt=receipt, reason="Refunded by card")
    receipt.refresh_from_db()
    text = _flat(pdf_text(receipt_pdf(receipt)))
    assert "VOID" in text
    assert "Refunded by card" in text
    assert f"Receipt {receipt.number}" in text


def test_corrected_receipt_names_the_one_it_replaces(organization):
    old = _receipt(organization)
    new = services.receipt_replace(receipt=old, reason="Typo in the address")
    text = _flat(pdf_text(receipt_pdf(new)))
    assert f"Corrected receipt, replaces {old.number}" in text


def test_verify_page_shows_number_date_amount_validity_and_initials_only(organization):
    receipt = _receipt(organization, amount=D("300.00"))
    response = Client().get(reverse("receipt_verify", args=[receipt.verification_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert receipt.number in page
    assert "$300.00" in page
    assert "March 15, 2025" in page
    assert "This receipt is valid" in page
    assert "A.K." in page
    assert "Ayesha" not in page and "Khan" not in page and "Elm" not in page


def test_verify_page_says_void(organization):
    receipt = _receipt(organization)
    services.receipt_void(receipt=receipt, reason="Refunded")
    page = Client().get(reverse("receipt_verify", args=[receipt.verification_code]))
    assert "This receipt is VOID" in page.content.decode()
    assert "Refunded" not in page.content.decode()


def test_verify_page_answers_404_for_an_unknown_code(organization):
    response = Client().get(reverse("receipt_verify", args=["not-a-real-code"]))
    assert response.status_code == 404
    assert "No receipt has this verification code" in response.content.decode()


def test_verification_codes_are_long_and_random(organization):
    first, second = _receipt(organization), _receipt(organization)
    assert len(first.verification_code) >= 24
    assert first.verification_code != second.verification_code


def test_verify_page_is_rate_limited(organization):
    client = Client()
    url = reverse("receipt_verify", args=["guess"])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
