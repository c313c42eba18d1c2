"""Pledges, their installments, and the payments that apply to them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from donors.models import DonorKind, Gift, GiftMethod, GiftStatus, Pledge, PledgeInstallment
from donors.selectors import installments_with_status, pledge_paid, pledges_with_balance
from donors.services import gift_save, pledge_create
from tests.factories import make_donor, make_gift

D = datetime.date


def _pledge(donor, amount="1200.00", installments=None):
    schedule = installments or [
        (D(2025, 1, 31), "400.00"),
        (D(2025, 2, 28), "400.00"),
        (D(2025, 3, 31), "400.00"),
    ]
    return pledge_create(
        donor=donor, amount=amount, pledge_date=D(2025, 1, 1), installments=schedule
    )


def _paid_flags(pledge):
    return [
        (i.due_date, i.is_paid)
        for i in installments_with_status(PledgeInstallment.objects.filter(pledge=pledge))
    ]


def _balance(pledge):
    row = pledges_with_balance().get(pk=pledge.pk)
    return row.paid, row.balance


def test_installments_must_add_up_to_the_pledge(organization):
    donor = make_donor()
    with pytest.raises(ValidationError) as error:
        _pledge(
            donor,
            amount="1000.00",
            installments=[(D(2025, 1, 31), "400.00"), (D(2025, 2, 28), "500.00")],
        )
    assert error.value.messages == [
        "The installments add up to $900.00, not the pledge's $1,000.00."
    ]
    assert not Pledge.objects.exists()
    assert not PledgeInstallment.objects.exists()


def test_pledge_without_a_payment_has_its_whole_amount_due(organization):
    pledge = _pledge(make_donor())
    assert _balance(pledge) == (Decimal("0.00"), Decimal("1200.00"))
    assert _paid_flags(pledge) == [
        (D(2025, 1, 31), False),
        (D(2025, 2, 28), False),
        (D(2025, 3, 31), False),
    ]


def test_payment_applies_to_the_pledge(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    make_gift(donor, amount=Decimal("500.00"), pledge=pledge, gift_date=D(2025, 2, 1))
    assert _balance(pledge) == (Decimal("500.00"), Decimal("700.00"))
    assert pledge_paid(pledge) == Decimal("500.00")


def test_payments_mark_the_earliest_installments_paid_first(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    make_gift(donor, amount=Decimal("500.00"), pledge=pledge, gift_date=D(2025, 2, 1))
    assert _paid_flags(pledge) == [
        (D(2025, 1, 31), True),
        (D(2025, 2, 28), False),  # 100 of its 400 paid: not yet
        (D(2025, 3, 31), False),
    ]
    make_gift(donor, amount=Decimal("300.00"), pledge=pledge, gift_date=D(2025, 3, 1))
    assert _paid_flags(pledge) == [
        (D(2025, 1, 31), True),
        (D(2025, 2, 28), True),
        (D(2025, 3, 31), False),
    ]


def test_installment_paid_to_the_cent_is_marked_paid(organization):
    # 40.10 + 80.20 is 120.30000000000001 in floating point, which SQLite's sums use.
    donor = make_donor()
    pledge = _pledge(
        donor, amount="120.30", installments=[(D(2025, 1, 31), "40.10"), (D(2025, 2, 28), "80.20")]
    )
    make_gift(donor, amount=Decimal("120.30"), pledge=pledge, gift_date=D(2025, 2, 1))
    assert _paid_flags(pledge) == [(D(2025, 1, 31), True), (D(2025, 2, 28), True)]
    assert _balance(pledge) == (Decimal("120.30"), Decimal("0.00"))


def test_refunded_payment_no_longer_counts(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    gift = make_gift(donor, amount=Decimal("400.00"), pledge=pledge, method=GiftMethod.CARD)
    gift.status = GiftStatus.REFUNDED
    gift.amount_refunded = Decimal("400.00")
    gift_save(gift=gift)
    assert _balance(pledge) == (Decimal("0.00"), Decimal("1200.00"))
    assert _paid_flags(pledge)[0] == (D(2025, 1, 31), False)


def test_payment_bigger_than_the_unpaid_balance_is_refused(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    make_gift(donor, amount=Decimal("500.00"), pledge=pledge)
    with pytest.raises(ValidationError) as error:
        make_gift(donor, amount=Decimal("700.01"), pledge=pledge)
    assert error.value.message_dict == {
        "pledge": ["This payment ($700.01) is more than the pledge's unpaid balance ($700.00)."]
    }
    assert Gift.objects.count() == 1


def test_payment_of_exactly_the_balance_is_accepted(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    make_gift(donor, amount=Decimal("500.00"), pledge=pledge)
    make_gift(donor, amount=Decimal("700.00"), pledge=pledge)
    assert _balance(pledge) == (Decimal("1200.00"), Decimal("0.00"))


def test_editing_a_payment_does_not_count_it_twice(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    gift = make_gift(donor, amount=Decimal("1000.00"), pledge=pledge)
    gift.amount = Decimal("1200.00")
    gift_save(gift=gift)
    assert _balance(pledge) == (Decimal("1200.00"), Decimal("0.00"))


def test_payment_from_another_donor_is_refused(organization):
    pledge = _pledge(make_donor())
    with pytest.raises(ValidationError) as error:
        make_gift(make_donor(), amount=Decimal("100.00"), pledge=pledge)
    assert error.value.message_dict == {"pledge": ["This pledge belongs to another donor."]}
    assert not Gift.objects.exists()


def test_daf_grant_may_pay_an_advisors_pledge(organization):
    pledge = _pledge(make_donor())
    sponsor = make_donor(kind=DonorKind.DAF_SPONSOR, organization_name="Fidelity Charitable")
    make_gift(sponsor, amount=Decimal("400.00"), pledge=pledge, method=GiftMethod.DAF_GRANT)
    assert _balance(pledge) == (Decimal("400.00"), Decimal("800.00"))


def test_employer_match_may_pay_an_employees_pledge(organization):
    pledge = _pledge(make_donor())
    employer = make_donor(kind=DonorKind.COMPANY, organization_name="Indus Software LLC")
    make_gift(employer, amount=Decimal("400.00"), pledge=pledge, method=GiftMethod.EMPLOYER_MATCH)
    assert _balance(pledge) == (Decimal("400.00"), Decimal("800.00"))


def test_payment_to_a_cancelled_pledge_is_refused(organization):
    donor = make_donor()
    pledge = _pledge(donor)
    pledge.status = "cancelled"
    pledge.save(update_fields=["status"])
    with pytest.raises(ValidationError) as error:
        make_gift(donor, amount=Decimal("100.00"), pledge=pledge)
    assert error.value.message_dict == {"pledge": ["This pledge was cancelled."]}
    assert not Gift.objects.exists()


def test_balance_is_per_pledge(organization):
    donor = make_donor()
    first = _pledge(donor)
    second = _pledge(donor, amount="300.00", installments=[(D(2025, 6, 1), "300.00")])
    make_gift(donor, amount=Decimal("300.00"), pledge=second)
    assert _balance(first) == (Decimal("0.00"), Decimal("1200.00"))
    assert _balance(second) == (Decimal("300.00"), Decimal("0.00"))
    assert _paid_flags(first)[0] == (D(2025, 1, 31), False)


def test_a_pledge_paid_in_full_is_fulfilled_and_reopens_when_a_payment_is_refunded(organization):
    import datetime as _dt
    from decimal import Decimal as _D

    from donors import services as _services
    from donors.models import PledgeStatus
    from tests.factories import make_donor as _make_donor
    from tests.factories import make_gift as _make_gift

    donor = _make_donor()
    pledge = _services.pledge_create(donor=donor, amount="500", pledge_date=_dt.date(2025, 1, 1))
    _make_gift(donor, amount=_D("200.00"), pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.OPEN
    last = _make_gift(donor, amount=_D("300.00"), pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.FULFILLED
    last.status, last.amount_refunded = "refunded", last.amount
    _services.gift_save(gift=last)
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.OPEN


def test_gift_record_refuses_an_amount_with_fractions_of_a_cent(organization):
    import pytest as _pytest
    from django.core.exceptions import ValidationError as _VE

    from donors.models import Gift
    from tests.factories import make_gift as _make_gift

    with _pytest.raises(_VE) as caught:
        _make_gift(amount="12.345")
    assert "amount" in caught.value.message_dict
    assert not Gift.objects.filter(amount="12.35").exists()
