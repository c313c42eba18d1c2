"""Soft credits: recognition for someone behind a gift, never their money."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from donors.models import DonorKind, GiftMethod, SoftCredit, SoftCreditKind
from donors.services import donor_figures_refresh, soft_credit_add
from tests.factories import make_donor, make_gift


def test_soft_credit_defaults_to_the_whole_gift(organization):
    gift = make_gift(amount=Decimal("250.00"))
    advisor = make_donor()
    credit = soft_credit_add(gift=gift, donor=advisor, kind=SoftCreditKind.SOLICITOR)
    credit.refresh_from_db()
    assert (credit.donor, credit.amount) == (advisor, Decimal("250.00"))


def test_soft_credit_cannot_go_to_the_gifts_own_donor(organization):
    gift = make_gift(amount=Decimal("250.00"))
    with pytest.raises(ValidationError) as error:
        soft_credit_add(gift=gift, donor=gift.donor, kind=SoftCreditKind.SOLICITOR)
    assert error.value.message_dict == {
        "donor": ["A gift's own donor already has the hard credit."]
    }
    assert not SoftCredit.objects.exists()


def test_soft_credit_cannot_exceed_the_gift(organization):
    gift = make_gift(amount=Decimal("250.00"))
    with pytest.raises(ValidationError) as error:
        soft_credit_add(
            gift=gift, donor=make_donor(), kind=SoftCreditKind.SOLICITOR, amount="250.01"
        )
    assert error.value.message_dict == {"amount": ["A soft credit cannot be more than the gift."]}
    assert not SoftCredit.objects.exists()


def test_soft_credit_of_part_of_the_gift(organization):
    gift = make_gift(amount=Decimal("250.00"))
    credit = soft_credit_add(
        gift=gift, donor=make_donor(), kind=SoftCreditKind.SOLICITOR, amount="100.5"
    )
    credit.refresh_from_db()
    assert credit.amount == Decimal("100.50")


def test_soft_credit_never_changes_the_credited_donors_figures(organization):
    advisor = make_donor()
    make_gift(advisor, amount=Decimal("40.00"))
    advisor.refresh_from_db()
    before = (advisor.lifetime_total, advisor.gift_count, advisor.largest_gift, advisor.years_given)

    sponsor = make_donor(kind=DonorKind.DAF_SPONSOR, organization_name="Schwab Charitable")
    grant = make_gift(sponsor, amount=Decimal("10000.00"), method=GiftMethod.DAF_GRANT)
    soft_credit_add(gift=grant, donor=advisor, kind=SoftCreditKind.DAF_ADVISOR)
    donor_figures_refresh(donor_ids=[advisor.pk, sponsor.pk])

    advisor.refresh_from_db()
    sponsor.refresh_from_db()
    assert before == (Decimal("40.00"), 1, Decimal("40.00"), 1)
    assert (
        advisor.lifetime_total,
        advisor.gift_count,
        advisor.largest_gift,
        advisor.years_given,
    ) == before
    assert sponsor.lifetime_total == Decimal("10000.00")


def test_same_donor_cannot_be_soft_credited_twice_the_same_way(organization):
    gift = make_gift(amount=Decimal("250.00"))
    advisor = make_donor()
    soft_credit_add(gift=gift, donor=advisor, kind=SoftCreditKind.SOLICITOR)
    with pytest.raises(ValidationError):
        soft_credit_add(gift=gift, donor=advisor, kind=SoftCreditKind.SOLICITOR)
    assert SoftCredit.objects.count() == 1
