"""Lifetime and per-year figures, kept by the gift services."""

import datetime
from decimal import Decimal

from donors.models import DonorYearTotal, Gift, GiftMethod, GiftStatus, SoftCreditKind
from donors.selectors import campaigns_with_totals, pledges_with_balance
from donors.services import (
    donor_figures_refresh,
    gift_delete,
    gift_save,
    gifts_delete,
    pledge_create,
    soft_credit_add,
)
from tests.factories import make_campaign, make_donor, make_gift


def _figures(donor):
    donor.refresh_from_db()
    return dict(
        lifetime_total=donor.lifetime_total,
        first_gift_date=donor.first_gift_date,
        last_gift_date=donor.last_gift_date,
        largest_gift=donor.largest_gift,
        gift_count=donor.gift_count,
        years_given=donor.years_given,
    )


def _years(donor):
    return {t.year: (t.total, t.gift_count) for t in DonorYearTotal.objects.filter(donor=donor)}


NO_GIFTS = dict(
    lifetime_total=Decimal("0.00"),
    first_gift_date=None,
    last_gift_date=None,
    largest_gift=Decimal("0.00"),
    gift_count=0,
    years_given=0,
)


def test_figures_count_every_kept_gift_by_tax_date(organization):
    donor = make_donor()
    make_gift(donor, amount=Decimal("100.00"), gift_date=datetime.date(2023, 5, 1))
    make_gift(donor, amount=Decimal("750.25"), gift_date=datetime.date(2024, 12, 1))
    # Received in 2025, postmarked in 2024: it belongs to 2024.
    make_gift(
        donor,
        amount=Decimal("40.00"),
        gift_date=datetime.date(2025, 1, 3),
        postmark_date=datetime.date(2024, 12, 30),
    )
    make_gift(donor, amount=Decimal("60.00"), gift_date=datetime.date(2025, 2, 1))

    assert _figures(donor) == dict(
        lifetime_total=Decimal("950.25"),
        first_gift_date=datetime.date(2023, 5, 1),
        last_gift_date=datetime.date(2025, 2, 1),
        largest_gift=Decimal("750.25"),
        gift_count=4,
        years_given=3,
    )
    assert _years(donor) == {
        2023: (Decimal("100.00"), 1),
        2024: (Decimal("790.25"), 2),
        2025: (Decimal("60.00"), 1),
    }


def test_failed_pending_refunded_and_disputed_gifts_do_not_count(organization):
    donor = make_donor()
    make_gift(donor, amount=Decimal("100.00"))
    make_gift(donor, amount=Decimal("900.00"), method=GiftMethod.CARD, status=GiftStatus.FAILED)
    make_gift(donor, amount=Decimal("800.00"), method=GiftMethod.CARD, status=GiftStatus.PENDING)
    make_gift(donor, amount=Decimal("700.00"), method=GiftMethod.CARD, status=GiftStatus.DISPUTED)
    make_gift(
        donor,
        amount=Decimal("600.00"),
        method=GiftMethod.CARD,
        status=GiftStatus.REFUNDED,
        amount_refunded=Decimal("600.00"),
        gift_date=datetime.date(2024, 1, 1),
    )
    figures = _figures(donor)
    assert figures["lifetime_total"] == Decimal("100.00")
    assert figures["largest_gift"] == Decimal("100.00")
    assert figures["gift_count"] == 1
    assert figures["years_given"] == 1
    assert figures["first_gift_date"] == datetime.date(2025, 3, 15)
    assert _years(donor) == {2025: (Decimal("100.00"), 1)}


def test_partial_refund_counts_what_was_kept(organization):
    donor = make_donor()
    make_gift(donor, amount=Decimal("300.00"))
    make_gift(
        donor,
        amount=Decimal("500.00"),
        method=GiftMethod.CARD,
        status=GiftStatus.PARTIALLY_REFUNDED,
        amount_refunded=Decimal("250.01"),
    )
    figures = _figures(donor)
    assert figures["lifetime_total"] == Decimal("549.99")
    assert figures["largest_gift"] == Decimal("300.00")
    assert figures["gift_count"] == 2


def test_refunding_a_gift_later_takes_it_out_of_the_figures(organization):
    donor = make_donor()
    make_gift(donor, amount=Decimal("100.00"), gift_date=datetime.date(2024, 6, 1))
    gift = make_gift(donor, amount=Decimal("400.00"), method=GiftMethod.CARD)
    gift.status = GiftStatus.REFUNDED
    gift.amount_refunded = Decimal("400.00")
    gift_save(gift=gift)
    figures = _figures(donor)
    assert figures["lifetime_total"] == Decimal("100.00")
    assert figures["last_gift_date"] == datetime.date(2024, 6, 1)
    assert _years(donor) == {2024: (Decimal("100.00"), 1)}


def test_soft_credits_never_count_in_the_credited_donors_figures(organization):
    employee = make_donor()
    make_gift(employee, amount=Decimal("50.00"))
    employer = make_donor(kind="company", organization_name="Indus Software LLC")
    match = make_gift(employer, amount=Decimal("5000.00"), method=GiftMethod.EMPLOYER_MATCH)
    soft_credit_add(gift=match, donor=employee, kind=SoftCreditKind.MATCH)
    donor_figures_refresh(donor_ids=[employee.pk])

    assert _figures(employee)["lifetime_total"] == Decimal("50.00")
    assert _figures(employee)["gift_count"] == 1
    assert _figures(employer)["lifetime_total"] == Decimal("5000.00")


def test_moving_a_gift_to_another_donor_updates_both(organization):
    first, second = make_donor(), make_donor()
    make_gift(first, amount=Decimal("20.00"), gift_date=datetime.date(2024, 1, 10))
    gift = make_gift(first, amount=Decimal("1000.00"))
    gift.donor = second
    gift_save(gift=gift)

    assert _figures(first) == dict(
        lifetime_total=Decimal("20.00"),
        first_gift_date=datetime.date(2024, 1, 10),
        last_gift_date=datetime.date(2024, 1, 10),
        largest_gift=Decimal("20.00"),
        gift_count=1,
        years_given=1,
    )
    assert _figures(second)["lifetime_total"] == Decimal("1000.00")
    assert _years(first) == {2024: (Decimal("20.00"), 1)}
    assert _years(second) == {2025: (Decimal("1000.00"), 1)}


def test_deleting_a_gift_updates_the_figures(organization):
    donor = make_donor()
    keep = make_gift(donor, amount=Decimal("75.00"), gift_date=datetime.date(2024, 2, 2))
    gone = make_gift(donor, amount=Decimal("925.00"))
    gift_delete(gift=gone)
    figures = _figures(donor)
    assert figures["lifetime_total"] == Decimal("75.00")
    assert figures["largest_gift"] == Decimal("75.00")
    assert figures["last_gift_date"] == keep.tax_date
    assert _years(donor) == {2024: (Decimal("75.00"), 1)}


def test_deleting_every_gift_leaves_no_figures(organization):
    first, second = make_donor(), make_donor()
    make_gift(first, amount=Decimal("10.00"))
    make_gift(second, amount=Decimal("20.00"))
    make_gift(second, amount=Decimal("30.00"))
    deleted = gifts_delete(gifts=Gift.objects.all())
    assert deleted == 3
    assert _figures(first) == NO_GIFTS
    assert _figures(second) == NO_GIFTS
    assert not DonorYearTotal.objects.exists()


# Thousands of cents whose floating-point sum drifts: SQLite sums DECIMAL columns as floats.
CENTS = [("0.01", 1000), ("0.10", 1000), ("0.07", 1000), ("19.99", 333)]
CENTS_TOTAL = Decimal("6836.67")


def _many_cents(donor, **fields):
    # Built in bulk for speed; the figures and selectors under test are the real ones.
    Gift.objects.bulk_create(
        Gift(
            donor=donor,
            amount=Decimal(amount),
            method=GiftMethod.CASH,
            gift_date=datetime.date(2025, 1, 2),
            tax_date=datetime.date(2025, 1, 2),
            **fields,
        )
        for amount, count in CENTS
        for _ in range(count)
    )


def test_lifetime_total_of_thousands_of_cents_is_exact(organization):
    floats = 0.0
    for amount, count in CENTS:
        for _ in range(count):
            floats += float(amount)
    assert floats != float(CENTS_TOTAL)  # adding them as floats, as SQLite does, drifts
    donor = make_donor()
    _many_cents(donor)
    donor_figures_refresh(donor_ids=[donor.pk])
    donor.refresh_from_db()
    assert donor.lifetime_total == CENTS_TOTAL
    assert donor.gift_count == 3333
    year = DonorYearTotal.objects.get(donor=donor)
    assert (year.year, year.total) == (2025, CENTS_TOTAL)


def test_campaign_raised_of_thousands_of_cents_is_exact(organization):
    campaign = make_campaign()
    _many_cents(make_donor(), campaign=campaign)
    raised = campaigns_with_totals().get(pk=campaign.pk).raised
    assert raised == CENTS_TOTAL
    assert str(raised) == "6836.67"


def test_pledge_paid_in_thousands_of_cents_has_no_balance_left(organization):
    donor = make_donor()
    pledge = pledge_create(donor=donor, amount=CENTS_TOTAL, pledge_date=datetime.date(2025, 1, 1))
    _many_cents(donor, pledge=pledge)
    row = pledges_with_balance().get(pk=pledge.pk)
    assert (row.paid, row.balance) == (CENTS_TOTAL, Decimal("0.00"))
    assert str(row.balance) == "0.00"
    # What a "still owes" list would ask the database.
    assert not pledges_with_balance().filter(balance__gt=0).exists()
