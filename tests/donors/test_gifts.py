"""Gift services: what gift_record derives and what it refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from donors.models import DonorKind, Gift, GiftMethod
from donors.services import gift_record, gift_save, organization_save, recurring_plan_create
from tests.factories import make_donor, make_gift

NEW_YEAR_06_UTC = datetime.datetime(2026, 1, 1, 6, 0, tzinfo=datetime.UTC)


def test_card_gift_tax_date_uses_the_donors_time_zone(organization):
    donor = make_donor(time_zone="America/Los_Angeles")
    gift = gift_record(
        donor=donor,
        amount="50.00",
        method=GiftMethod.CARD,
        gift_date=datetime.date(2026, 1, 1),
        charged_at=datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC),
    )
    gift.refresh_from_db()
    assert gift.tax_date == datetime.date(2025, 12, 31)


def test_card_gift_without_donor_time_zone_uses_the_organizations(organization):
    donor = make_donor()
    gift = make_gift(
        donor,
        method=GiftMethod.CARD,
        gift_date=datetime.date(2026, 1, 1),
        charged_at=NEW_YEAR_06_UTC,
    )
    assert gift.tax_date == datetime.date(2026, 1, 1)  # 01:00 in New York

    organization.time_zone = "America/Los_Angeles"
    organization_save(organization=organization)
    gift = make_gift(
        donor,
        method=GiftMethod.CARD,
        gift_date=datetime.date(2026, 1, 1),
        charged_at=NEW_YEAR_06_UTC,
    )
    assert gift.tax_date == datetime.date(2025, 12, 31)  # 22:00 in California


def test_check_gift_tax_date_is_its_postmark(organization):
    gift = make_gift(
        method=GiftMethod.CHECK,
        gift_date=datetime.date(2026, 1, 5),
        check_number="2087",
        postmark_date=datetime.date(2025, 12, 31),
    )
    gift.refresh_from_db()
    assert gift.tax_date == datetime.date(2025, 12, 31)


def test_adding_a_postmark_later_moves_the_tax_date(organization):
    gift = make_gift(method=GiftMethod.CHECK, gift_date=datetime.date(2026, 1, 5))
    assert gift.tax_date == datetime.date(2026, 1, 5)
    gift.postmark_date = datetime.date(2025, 12, 29)
    gift_save(gift=gift)
    gift.refresh_from_db()
    assert gift.tax_date == datetime.date(2025, 12, 29)


def test_gift_record_computes_the_net_of_the_fee(organization):
    gift = make_gift(method=GiftMethod.CARD, amount=Decimal("100.00"), fee=Decimal("3.20"))
    gift.refresh_from_db()
    assert gift.net == Decimal("96.80")


def test_gift_without_a_fee_has_no_net(organization):
    gift = make_gift(amount=Decimal("100.00"))
    gift.refresh_from_db()
    assert gift.net is None


def test_changing_the_amount_recomputes_the_net(organization):
    gift = make_gift(method=GiftMethod.CARD, amount=Decimal("100.00"), fee=Decimal("3.20"))
    gift.amount = Decimal("200.00")
    gift.fee = Decimal("6.10")
    gift_save(gift=gift)
    gift.refresh_from_db()
    assert gift.net == Decimal("193.90")


def test_gift_record_takes_amounts_as_strings(organization):
    gift = make_gift(amount="1250.5")
    gift.refresh_from_db()
    assert gift.amount == Decimal("1250.50")


def test_gift_record_refuses_floats(organization):
    with pytest.raises(TypeError, match="refuses float"):
        make_gift(amount=19.99)
    assert not Gift.objects.exists()


def test_gift_record_refuses_a_daf_grant_from_a_person(organization):
    donor = make_donor()
    with pytest.raises(ValidationError) as error:
        gift_record(
            donor=donor, amount="500.00", method=GiftMethod.DAF_GRANT,
            gift_date=datetime.date(2025, 5, 1),
        )  # fmt: skip
    assert error.value.message_dict == {
        "donor": ["A DAF grant comes from the fund's sponsor; credit the advisor as a soft credit."]
    }
    assert not Gift.objects.exists()


def test_gift_record_accepts_a_daf_grant_from_the_sponsor(organization):
    sponsor = make_donor(kind=DonorKind.DAF_SPONSOR, organization_name="Fidelity Charitable")
    gift = gift_record(
        donor=sponsor, amount="500.00", method=GiftMethod.DAF_GRANT,
        gift_date=datetime.date(2025, 5, 1),
    )  # fmt: skip
    assert Gift.objects.get().pk == gift.pk


def test_empty_processor_ids_are_stored_as_null_so_they_never_collide(organization):
    first = make_gift(stripe_payment_id="", external_id="")
    second = make_gift(stripe_payment_id="", external_id="")
    assert Gift.objects.filter(pk__in=[first.pk, second.pk], stripe_payment_id=None).count() == 2


def test_duplicate_external_id_is_refused(organization):
    make_gift(external_id="row-17")
    with pytest.raises(ValidationError) as error:
        make_gift(external_id="row-17")
    assert list(error.value.message_dict) == ["external_id"]
    assert Gift.objects.count() == 1


def test_monthly_plan_of_another_donor_is_refused(organization):
    plan = recurring_plan_create(
        donor=make_donor(), amount="25.00", started_on=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        make_gift(method=GiftMethod.CARD, amount="25.00", recurring_plan=plan)
    assert error.value.message_dict == {
        "recurring_plan": ["This monthly plan belongs to another donor."]
    }
