"""A low-cost article (a mug with the logo) is an insubstantial benefit under the year's limits
(2025: it cost at most $13.60 and the payment was at least $68): staff flag it on the gift,
and receipts, statements and the annual summary disregard it."""

import re
from decimal import Decimal as D

import pytest

from compliance import services
from compliance.models import BenefitLimit, YearEndStatement
from compliance.pdf import receipt_pdf
from compliance.reports import annual_summary
from donors.deductible import gift_figures
from donors.models import Gift
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _mug(amount="100.00", value="10.00", flagged=True):
    return factories.make_gift(
        amount=D(amount), benefit_value=D(value), benefit_description="mug with our logo",
        benefit_is_low_cost_article=flagged,
    )  # fmt: skip


def test_a_flagged_mug_is_disregarded_on_the_receipt(organization):
    receipt = services.receipt_issue(gift=_mug())
    assert (receipt.benefit_value, receipt.deductible_amount) == (D("0.00"), D("100.00"))
    text = re.sub(r"\s+", " ", pdf_text(receipt_pdf(receipt)))
    assert "No goods or services were provided" in text
    assert "mug" not in text


def test_the_same_mug_unflagged_reduces_the_deduction(organization):
    # $10 is more than 2% of $100, so without the flag it is a substantial benefit.
    receipt = services.receipt_issue(gift=_mug(flagged=False))
    assert (receipt.benefit_value, receipt.deductible_amount) == (D("10.00"), D("90.00"))


@pytest.mark.parametrize(
    ("amount", "value", "deductible"),
    [
        ("68.00", "13.60", "68.00"),  # at both limits: disregarded
        ("67.99", "13.60", "54.39"),  # payment under $68: it counts
        ("100.00", "13.61", "86.39"),  # the article cost too much: it counts
    ],
)
def test_the_years_limits_decide(organization, amount, value, deductible):
    receipt = services.receipt_issue(gift=_mug(amount=amount, value=value))
    assert receipt.deductible_amount == D(deductible)


def test_a_new_years_limits_apply_to_that_years_gifts(organization):
    import datetime

    # 2024-2026 come with the migrations; a year staff add (figures made up for the test).
    gift = factories.make_gift(amount=D("72.00"), benefit_value=D("14.40"),
                               benefit_is_low_cost_article=True,
                               gift_date=datetime.date(2023, 2, 1))  # fmt: skip
    assert gift_figures(gift).deductible_amount == D("57.60")  # no 2023 limits: 72 - 14.40
    BenefitLimit.objects.create(
        year=2023,
        low_cost_article_max=D("14.40"),
        low_cost_article_min_payment=D("72.00"),
        benefit_cap=D("144.00"),
    )
    assert gift_figures(gift).deductible_amount == D("72.00")


def test_statements_and_the_annual_summary_disregard_it_too(organization):
    _mug()
    _mug(flagged=False)
    services.statements_issue(year=2025)
    totals = sorted(YearEndStatement.objects.values_list("total_deductible", flat=True))
    assert totals == [D("90.00"), D("100.00")]
    assert D(annual_summary(2025)["total_deductible"]) == D("190.00")


def test_staff_flag_it_in_the_gift_form(client, staff, organization):
    gift = _mug(flagged=False)
    client.force_login(staff)
    url = f"/admin/donors/gift/{gift.pk}/change/"
    page = client.get(url)
    assert "benefit is a low-cost article" in page.content.decode().lower()
    data = form_data(page, "gift")
    data["benefit_is_low_cost_article"] = "on"
    assert client.post(url, data).status_code == 302
    gift = Gift.objects.get(pk=gift.pk)
    assert gift.benefit_is_low_cost_article
    assert services.receipt_issue(gift=gift).deductible_amount == D("100.00")
