"""Insubstantial-benefit limits for every year in use: 2026's are seeded from Rev. Proc.
2025-32, and a gift of a year with no limits is flagged wherever staff look at it."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from compliance.models import BenefitLimit, YearEndStatement
from compliance.services import calendar
from tests import factories

pytestmark = pytest.mark.django_db

WARNING_2026 = "No insubstantial-benefit limits for 2026"


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _forget_2026():
    """As the database was before this change: no row for 2026."""
    BenefitLimit.objects.filter(year=2026).delete()


def _run(command, *args, capsys):
    call_command(command, *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def _dinner(amount, benefit, day=datetime.date(2026, 3, 10), **fields):
    return factories.make_gift(
        amount=D(amount),
        benefit_value=D(benefit),
        benefit_description="dinner",
        gift_date=day,
        method="card",
        **fields,
    )


def test_the_migration_seeds_2026_from_rev_proc_2025_32():
    limits = BenefitLimit.objects.get(year=2026)
    assert (
        limits.low_cost_article_max,
        limits.low_cost_article_min_payment,
        limits.benefit_cap,
        limits.benefit_percent,
    ) == (D("14.00"), D("70.00"), D("140.00"), D("0.0200"))


def test_2026_gifts_are_receipted_under_2026_limits(organization, capsys):
    # A $70 payment with a $14.00 logo mug: a low-cost article (<= $14.00, payment >= $70).
    _dinner("70.00", "14.00", benefit_is_low_cost_article=True)
    # One cent over: not low-cost, and 2% of $70 is $1.40: deductible 70 - 14.01 = 55.99.
    _dinner("70.00", "14.01", benefit_is_low_cost_article=True)
    # $7,500 with a $140 benefit: the lesser of 2% ($150) and $140 is $140, so disregarded.
    _dinner("7500.00", "140.00")
    # $140.01 is over it: 7,500 - 140.01 = 7,359.99.
    _dinner("7500.00", "140.01")
    out, err = _run("issue_receipts", "--through", "2026-12-31", "--json", capsys=capsys)
    deductible = [D(row["deductible_amount"]) for row in json.loads(out)]
    assert deductible == [D("70.00"), D("55.99"), D("7500.00"), D("7359.99")]
    assert "Warning" not in err


def test_issue_receipts_warns_of_a_year_with_no_limits(organization, capsys):
    _forget_2026()
    _dinner("7500.00", "140.00")
    _dinner("100.00", "0.00", day=datetime.date(2026, 4, 2))
    factories.make_gift(amount=D("80.00"), gift_date=datetime.date(2025, 6, 1))
    out, err = _run("issue_receipts", "--through", "2026-12-31", "--json", capsys=capsys)
    rows = json.loads(out)  # standard output stays the JSON
    # Nothing disregarded without the year's limits: 7,500 - 140 = 7,360.
    assert [D(r["deductible_amount"]) for r in rows] == [D("80.00"), D("7360.00"), D("100.00")]
    assert WARNING_2026 in err
    assert "(2 receipt(s) issued for 2026 gifts.)" in err
    assert "for 2025" not in err


def test_year_end_statements_warns_of_a_year_with_no_limits(organization, capsys):
    gift = _dinner("7500.00", "140.00")
    _, err = _run("year_end_statements", "--year", "2026", capsys=capsys)
    assert "Warning" not in err
    first = YearEndStatement.objects.get(donor=gift.donor)
    assert first.total_deductible == D("7500.00")
    _forget_2026()
    out, err = _run("year_end_statements", "--year", "2026", capsys=capsys)
    assert f"Warning: {WARNING_2026}" in err
    # Still issued, stating the benefit in full: 7,500 - 140 = 7,360 (the first replaced).
    assert "Issued 1 statement(s) for 2026." in out
    second = YearEndStatement.objects.get(donor=gift.donor, voided_at=None)
    assert (second.replaces_id, second.total_deductible) == (first.pk, D("7360.00"))


def test_the_gift_list_and_page_flag_a_gift_of_a_year_with_no_limits(client, staff):
    gift_2025 = factories.make_gift(amount=D("80.00"), gift_date=datetime.date(2025, 6, 1))
    gift_2026 = _dinner("300.00", "50.00")
    client.force_login(staff)
    listing = reverse("admin:donors_gift_changelist")
    assert "No 2026 benefit limits" not in client.get(listing).content.decode()
    _forget_2026()
    page = client.get(listing).content.decode()
    assert page.count("No 2026 benefit limits") == 1
    assert "No 2025 benefit limits" not in page
    change = client.get(reverse("admin:donors_gift_change", args=[gift_2026.pk]))
    text = change.content.decode()
    assert WARNING_2026 in text  # the message at the top of the page
    assert "No 2026 benefit limits" in text  # and in the benefit section
    other = client.get(reverse("admin:donors_gift_change", args=[gift_2025.pk]))
    assert "No insubstantial-benefit limits" not in other.content.decode()
    assert "The IRS&#x27;s 2025 limits are recorded." in other.content.decode()


def test_the_receipts_list_flags_receipts_of_a_year_with_no_limits(
    client, staff, organization, capsys
):
    _forget_2026()
    _dinner("300.00", "50.00")
    factories.make_gift(amount=D("80.00"), gift_date=datetime.date(2025, 6, 1))
    _run("issue_receipts", "--through", "2026-12-31", capsys=capsys)
    client.force_login(staff)
    page = client.get(reverse("admin:compliance_receipt_changelist")).content.decode()
    assert WARNING_2026 in page  # above the list
    assert page.count("No 2026 benefit limits") == 1  # the 2026 receipt's row only
    factories.ensure_benefit_limits()
    page = client.get(reverse("admin:compliance_receipt_changelist")).content.decode()
    assert "No 2026 benefit limits" not in page and WARNING_2026 not in page


def test_the_compliance_calendar_warns_of_years_with_no_limits(client, administrator):
    _dinner("300.00", "50.00")
    client.force_login(administrator)
    url = reverse("admin:compliance_compliancedeadline_changelist")
    assert WARNING_2026 not in client.get(url).content.decode()
    _forget_2026()
    assert WARNING_2026 in client.get(url).content.decode()


def test_the_calendar_asks_for_next_years_limits_from_november():
    _dinner("300.00", "50.00")
    november = calendar.benefit_limit_warnings(today=datetime.date(2026, 11, 1))
    assert november == [
        "Add the 2027 insubstantial-benefit limits before January 1: the IRS publishes them "
        "each autumn (the Revenue Procedure on 2027 inflation adjustments; Publication 1771)."
    ]
    assert calendar.benefit_limit_warnings(today=datetime.date(2026, 10, 31)) == []
    # A gift of 2023 (no limits seeded for it) is flagged whatever the month.
    factories.make_gift(amount=D("50.00"), gift_date=datetime.date(2023, 5, 1))
    (warning,) = calendar.benefit_limit_warnings(today=datetime.date(2026, 10, 31))
    assert warning.startswith("No insubstantial-benefit limits for 2023")


def test_issuing_from_the_gifts_list_warns_of_a_year_with_no_limits(client, staff, organization):
    _forget_2026()
    gift = _dinner("300.00", "50.00")
    client.force_login(staff)
    response = client.post(
        reverse("admin:donors_gift_changelist"),
        {"action": "issue_receipts", "_selected_action": [gift.pk], "confirmed": "1"},
        follow=True,
    )
    text = response.content.decode()
    assert "Issued 1 receipt(s)" in text
    assert WARNING_2026 in text
    # Nothing disregarded: 300 - 50 = 250.
    assert gift.receipts.get().deductible_amount == D("250.00")


def test_a_background_batch_of_a_year_with_no_limits_warns_on_its_page(
    client, staff, organization, django_capture_on_commit_callbacks
):
    _forget_2026()
    _dinner("300.00", "50.00")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:compliance_issuebatch_add"),
            {"kind": "statements", "year": "2026"},
            follow=True,
        )
    assert WARNING_2026 in response.content.decode()
    statement = YearEndStatement.objects.get()
    assert statement.total_deductible == D("250.00")  # 300 - 50, nothing disregarded
