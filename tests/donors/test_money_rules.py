"""Each money rule is written once (donors.money_rules, donors.deductible): its Python and
database forms agree, and the pages and documents that state it say the same thing."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from donors.models import SoftCredit
from donors.money_rules import (
    installments_problem,
    soft_credit_kept,
    soft_credit_kept_expression,
)
from donors.services import gift_save, pledge_create, soft_credit_add
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_soft_credit_follows_its_gifts_refunds_in_proportion():
    assert soft_credit_kept(D("2500.00"), D("2500.00"), D("1000.00")) == D("1500.00")
    assert soft_credit_kept(D("1000.00"), D("2500.00"), D("1000.00")) == D("600.00")
    assert soft_credit_kept(D("1000.00"), D("2500.00"), D("2500.00")) == D("0.00")
    assert soft_credit_kept(D("100.00"), D("300.00"), D("50.00")) == D("83.33")


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(amount=amounts, credit_share=st.fractions(0, 1), refund_share=st.fractions(0, 1))
def test_the_database_counts_a_soft_credit_as_python_does(
    organization, amount, credit_share, refund_share
):
    # SQLite stores whole amounts as integers, and divides integers as integers: a copy of the
    # rule that forgot it would count $83 where Python counts $83.33.
    credit = max(D("0.01"), (amount * D(credit_share.numerator) / credit_share.denominator)
                 .quantize(D("0.01")))  # fmt: skip
    refunded = (amount * D(refund_share.numerator) / refund_share.denominator).quantize(D("0.01"))
    credit, refunded = min(credit, amount), min(refunded, amount)
    SoftCredit.objects.all().delete()
    status = (
        "succeeded"
        if not refunded
        else "refunded"
        if refunded == amount
        else ("partially_refunded")
    )
    gift = factories.make_gift(amount=amount, amount_refunded=refunded, status=status)
    soft_credit_add(gift=gift, donor=factories.make_donor(), kind="solicitor", amount=credit)

    row = (
        SoftCredit.objects.annotate(counts=soft_credit_kept_expression())
        .values_list("counts", "gift__amount", "gift__amount_refunded")
        .get()
    )
    assert row[0] == soft_credit_kept(credit, row[1], row[2])


def test_a_schedule_must_add_up_to_its_pledge(organization):
    assert installments_problem(D(300), []) is None
    assert installments_problem(D(300), [D(100), D(200)]) is None
    message = "The installments add up to $250.00, not the pledge's $300.00."
    assert installments_problem(D(300), [D(100), D(150)]) == message

    donor = factories.make_donor()
    with pytest.raises(ValidationError) as error:
        pledge_create(
            donor=donor,
            amount="300",
            pledge_date=datetime.date(2025, 1, 1),
            installments=[(datetime.date(2025, 2, 1), "100"), (datetime.date(2025, 3, 1), "150")],
        )
    assert error.value.messages == [message]


def test_a_partly_refunded_payment_leaves_its_refund_unpaid_on_the_pledge(organization):
    donor = factories.make_donor()
    pledge = pledge_create(donor=donor, amount="1000", pledge_date=datetime.date(2025, 1, 1))
    payment = factories.make_gift(donor, amount=D("600.00"), pledge=pledge)
    payment.status, payment.amount_refunded = "partially_refunded", D("100.00")
    gift_save(gift=payment)

    # $500 kept: $500 left, so $500.01 is refused and $500.00 taken.
    with pytest.raises(ValidationError) as error:
        factories.make_gift(donor, amount=D("500.01"), pledge=pledge)
    assert error.value.message_dict["pledge"] == [
        "This payment ($500.01) is more than the pledge's unpaid balance ($500.00)."
    ]
    factories.make_gift(donor, amount=D("500.00"), pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == "fulfilled"
