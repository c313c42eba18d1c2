"""SPEC's receipt rules, one bullet at a time, as pure functions: no database here
(pytest-django refuses any query in these tests)."""

import datetime
from decimal import Decimal as D

import pytest

from compliance import rules
from compliance.rules import Kind, Recipient
from donors import deductible
from donors.deductible import BenefitLimits

LIMITS_2025 = BenefitLimits(
    year=2025,
    low_cost_article_max=D("13.60"),
    low_cost_article_min_payment=D("68.00"),
    benefit_cap=D("136.00"),
)


def recipient(**kw):
    kw.setdefault("method", "check")
    kw.setdefault("status", "succeeded")
    kw.setdefault("donor_kind", "person")
    return rules.receipt_recipient(**kw)


# "Each payment is its own contribution; payments are never added up to reach a threshold."
def test_each_payment_is_judged_alone_for_the_quid_pro_quo_threshold():
    # Two $50 dinner payments are two payments under $75, never one of $100.
    payments = [D("50.00"), D("50.00")]
    assert [
        rules.quid_pro_quo_required(payment=p, benefit_value=D("30.00"), limits=LIMITS_2025)
        for p in payments
    ] == [False, False]
    assert rules.quid_pro_quo_required(
        payment=D("100.00"), benefit_value=D("30.00"), limits=LIMITS_2025
    )


def test_written_acknowledgment_threshold_is_250_for_a_single_payment():
    assert rules.written_acknowledgment_required(payment=D("250.00"))
    assert not rules.written_acknowledgment_required(payment=D("249.99"))


# "…for non-cash gifts a description with no value (stock: number of shares and issuer)"
def test_stock_is_described_by_shares_and_issuer_without_a_value():
    text = rules.non_cash_description(
        method="stock", description="", stock_shares=D("25.0000"), stock_issuer="Apple Inc."
    )
    assert text == "25 shares of Apple Inc."
    assert "$" not in text
    one = rules.non_cash_description(
        method="stock", description="", stock_shares=D("1"), stock_issuer="Vanguard 500"
    )
    assert one == "1 share of Vanguard 500"


def test_in_kind_is_described_in_the_donors_words():
    text = rules.non_cash_description(
        method="in_kind", description=" 40 winter coats ", stock_shares=None, stock_issuer=""
    )
    assert text == "40 winter coats"


def test_no_benefit_means_the_whole_payment_is_deductible():
    assert deductible.deductible_amount(amount=D("500.00")) == D("500.00")
    assert not rules.benefit_statement_printed(benefit_value=D("0"), benefit_declined=False)


# Quid pro quo: over $75, partly for goods or services.
def test_dinner_ticket_over_75_needs_the_statement_and_deducts_the_meal():
    assert rules.quid_pro_quo_required(
        payment=D("150.00"), benefit_value=D("60.00"), limits=LIMITS_2025
    )
    assert deductible.deductible_amount(
        amount=D("150.00"), benefit_value=D("60.00"), limits=LIMITS_2025
    ) == D("90.00")


def test_exactly_75_needs_no_statement_by_law_but_the_project_prints_it_anyway():
    assert not rules.quid_pro_quo_required(
        payment=D("75.00"), benefit_value=D("40.00"), limits=LIMITS_2025
    )
    assert rules.benefit_statement_printed(benefit_value=D("40.00"), benefit_declined=False)
    assert deductible.deductible_amount(
        amount=D("75.00"), benefit_value=D("40.00"), limits=LIMITS_2025
    ) == D("35.00")


def test_declining_the_benefit_makes_the_whole_payment_a_gift():
    assert deductible.deductible_amount(
        amount=D("150.00"), benefit_value=D("60.00"), benefit_declined=True, limits=LIMITS_2025
    ) == D("150.00")
    assert not rules.quid_pro_quo_required(
        payment=D("150.00"), benefit_value=D("60.00"), benefit_declined=True
    )
    assert not rules.benefit_statement_printed(benefit_value=D("60.00"), benefit_declined=True)


def test_not_attending_changes_nothing():
    # There is no "attended" input: a ticket paid for and not used is deducted the same.
    assert deductible.deductible_amount(
        amount=D("150.00"), benefit_value=D("60.00"), limits=LIMITS_2025
    ) == D("90.00")


def test_benefit_never_makes_the_deduction_negative():
    assert deductible.deductible_amount(amount=D("50.00"), benefit_value=D("50.00")) == D("0.00")


# Insubstantial benefits under the year's limits (2025 figures).
def test_benefit_of_two_percent_is_insubstantial():
    # 2% of $1,000 is $20: a $20 gift is disregarded, $20.01 is not.
    assert deductible.benefit_is_insubstantial(
        payment=D("1000.00"), benefit_value=D("20.00"), limits=LIMITS_2025
    )
    assert not deductible.benefit_is_insubstantial(
        payment=D("1000.00"), benefit_value=D("20.01"), limits=LIMITS_2025
    )
    assert deductible.deductible_amount(
        amount=D("1000.00"), benefit_value=D("20.00"), limits=LIMITS_2025
    ) == D("1000.00")


def test_benefit_cap_of_136_applies_when_it_is_less_than_two_percent():
    # 2% of $10,000 is $200, but the cap is the lesser: $136.
    assert deductible.benefit_is_insubstantial(
        payment=D("10000.00"), benefit_value=D("136.00"), limits=LIMITS_2025
    )
    assert not deductible.benefit_is_insubstantial(
        payment=D("10000.00"), benefit_value=D("136.01"), limits=LIMITS_2025
    )
    assert deductible.deductible_amount(
        amount=D("10000.00"), benefit_value=D("150.00"), limits=LIMITS_2025
    ) == D("9850.00")


def test_low_cost_article_for_a_payment_of_at_least_68():
    assert deductible.benefit_is_insubstantial(
        payment=D("68.00"), benefit_value=D("13.60"), limits=LIMITS_2025, low_cost_article=True
    )
    assert not deductible.benefit_is_insubstantial(
        payment=D("67.99"), benefit_value=D("13.60"), limits=LIMITS_2025, low_cost_article=True
    )
    assert not deductible.benefit_is_insubstantial(
        payment=D("68.00"), benefit_value=D("13.61"), limits=LIMITS_2025, low_cost_article=True
    )
    # The same mug that is not a token article is judged by the 2% test: $1.36 at most.
    assert not deductible.benefit_is_insubstantial(
        payment=D("68.00"), benefit_value=D("13.60"), limits=LIMITS_2025
    )


def test_insubstantial_benefit_needs_no_quid_pro_quo_statement():
    assert not rules.quid_pro_quo_required(
        payment=D("1000.00"), benefit_value=D("20.00"), limits=LIMITS_2025
    )


def test_a_year_without_limits_disregards_nothing():
    assert not deductible.benefit_is_insubstantial(
        payment=D("1000.00"), benefit_value=D("1.00"), limits=None
    )
    assert deductible.deductible_amount(amount=D("1000.00"), benefit_value=D("1.00")) == D("999.00")


# Who receives the acknowledgment.
def test_own_payment_is_receipted_to_the_donor():
    assert recipient().recipient == Recipient.DONOR
    assert recipient(method="card", status="partially_refunded").receiptable


def test_globalgiving_grant_is_acknowledged_to_globalgiving():
    result = recipient(method="globalgiving", donor_kind="platform")
    assert result.recipient == Recipient.GLOBALGIVING


@pytest.mark.parametrize(
    "kind", [Kind.SOFT_CREDIT, Kind.UNPAID_PLEDGE, Kind.RAFFLE_TICKET, Kind.VOLUNTEER_TIME]
)
def test_soft_credits_pledges_raffles_and_volunteer_time_are_never_receipted(kind):
    result = recipient(kind=kind)
    assert result.recipient == Recipient.NOBODY
    assert not result.receiptable
    assert result.reason


@pytest.mark.parametrize("status", ["refunded", "failed", "pending", "disputed"])
def test_refunded_failed_pending_or_disputed_payments_are_not_receipted(status):
    assert recipient(status=status).recipient == Recipient.NOBODY


def test_daf_grant_is_acknowledged_to_the_sponsor_never_the_advisor():
    assert recipient(method="daf_grant", donor_kind="daf_sponsor").recipient == (
        Recipient.DAF_SPONSOR
    )
    assert recipient(method="daf_grant", donor_kind="person").recipient == Recipient.NOBODY


def test_employer_match_is_acknowledged_to_the_employer():
    assert recipient(method="employer_match", donor_kind="company").recipient == (
        Recipient.EMPLOYER
    )
    assert recipient(method="employer_match", donor_kind="person").recipient == Recipient.NOBODY


def test_no_benefit_may_be_given_against_daf_money():
    assert not rules.benefits_allowed_against_daf(
        method="daf_grant", benefit_value=D("60.00"), declined=False
    )
    assert rules.benefits_allowed_against_daf(
        method="daf_grant", benefit_value=D("60.00"), declined=True
    )
    assert rules.benefits_allowed_against_daf(
        method="card", benefit_value=D("60.00"), declined=False
    )


# The tax date decides the tax year.
def test_card_charge_on_new_years_eve_in_the_donors_time_zone_is_the_old_year():
    charged = datetime.datetime(2026, 1, 1, 3, 30, tzinfo=datetime.UTC)  # 7:30 pm in LA
    assert (
        rules.tax_year(
            method="card",
            gift_date=datetime.date(2026, 1, 1),
            charged_at=charged,
            time_zone="America/Los_Angeles",
        )
        == 2025
    )


def test_check_postmarked_in_december_belongs_to_that_year():
    assert (
        rules.tax_year(
            method="check",
            gift_date=datetime.date(2026, 1, 5),
            postmark_date=datetime.date(2025, 12, 31),
            time_zone="America/New_York",
        )
        == 2025
    )


def test_stock_belongs_to_the_year_it_reaches_the_account():
    assert (
        rules.tax_year(
            method="stock",
            gift_date=datetime.date(2025, 12, 29),
            date_received=datetime.date(2026, 1, 2),
            time_zone="America/New_York",
        )
        == 2026
    )


# A refund after a receipt: the corrected receipt states what was kept.
def test_partial_refund_deducts_only_what_was_kept():
    assert deductible.deductible_amount(amount=D("500.00"), amount_refunded=D("200.00")) == D(
        "300.00"
    )
    assert deductible.deductible_amount(
        amount=D("500.00"),
        amount_refunded=D("200.00"),
        benefit_value=D("60.00"),
        limits=LIMITS_2025,
    ) == D("240.00")


def test_receipt_numbers_are_the_year_and_six_digits():
    assert rules.receipt_number(year=2025, sequence=123) == "2025-000123"
    with pytest.raises(ValueError):
        rules.receipt_number(year=2025, sequence=0)


def test_the_rules_refuse_floats():
    with pytest.raises(TypeError):
        deductible.deductible_amount(amount=100.0)


def test_public_page_shows_initials_only():
    assert rules.donor_initials("Drs. Ayesha and Omar Khan") == "A.O.K."
    assert rules.donor_initials("Bilal Ahmed") == "B.A."
