"""Gift skips Django's query-per-CheckConstraint validation (see Gift.validate_constraints):
these tests prove each of those constraints is still refused, in words, before the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from donors.models import Gift, GiftMethod
from donors.rules import gift_problems
from tests.factories import make_donor, make_gift

TODAY = datetime.date(2025, 6, 1)

# One gift breaking each check constraint, and the field gift_problems names for it.
VIOLATIONS = {
    "gift_amount_positive": ({"amount": Decimal("0.00")}, "amount"),
    "gift_refund_within_amount": ({"amount_refunded": Decimal("-1.00")}, "amount_refunded"),
    "gift_benefit_not_negative": ({"benefit_value": Decimal("-5.00")}, "benefit_value"),
    "gift_fee_not_negative": ({"fee": Decimal("-0.30")}, "fee"),
    "gift_tribute_name_needs_kind": ({"tribute_name": "Begum Rashida"}, "tribute_kind"),
    "gift_original_amount_with_currency": ({"original_currency": "GBP"}, "original_amount"),
}


def _gift(**fields) -> Gift:
    values = dict(amount=Decimal("100.00"), method=GiftMethod.CHECK, gift_date=TODAY)
    values.update(fields)
    return Gift(**values)


def test_every_gift_check_constraint_has_a_rule_in_words():
    checks = {c.name for c in Gift._meta.constraints if isinstance(c, models.CheckConstraint)}
    assert checks == set(VIOLATIONS)


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_gift_problems_refuses_what_the_constraint_refuses(name):
    fields, field = VIOLATIONS[name]
    assert field in gift_problems(_gift(**fields), donor_kind=None, today=TODAY)


def test_a_valid_gift_has_no_problems():
    assert gift_problems(_gift(fee=Decimal("2.50")), donor_kind=None, today=TODAY) == {}


def test_recording_a_gift_with_a_negative_fee_is_a_validation_error_not_an_integrity_error(
    organization,
):
    donor = make_donor()
    with pytest.raises(ValidationError) as error:
        make_gift(donor, fee=Decimal("-1.00"))
    assert "fee" in error.value.message_dict
    assert not Gift.objects.exists()
