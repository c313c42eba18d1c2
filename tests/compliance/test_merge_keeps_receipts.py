"""A donor merge never changes an issued receipt: the donor who holds one is the one kept."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from compliance.services import receipt_issue
from donors.services.merge import donors_merge
from tests.factories import ensure_benefit_limits, make_donor, make_gift


@pytest.fixture
def receipted_twin(organization):
    ensure_benefit_limits()
    kept = make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    other = make_donor(first_name="Ayesha", last_name="Khan", email="a.khan@example.org")
    receipt = receipt_issue(gift=make_gift(other, amount=Decimal("300.00")))
    return kept, other, receipt


def test_merging_away_a_donor_who_holds_a_receipt_is_refused(receipted_twin):
    kept, other, receipt = receipted_twin

    with pytest.raises(ValidationError) as refused:
        donors_merge(survivor=kept, other=other)

    assert "never change" in str(refused.value)
    receipt.refresh_from_db()
    assert receipt.donor_id == other.pk


def test_merging_into_the_donor_who_holds_the_receipt_leaves_it_as_issued(receipted_twin):
    kept, other, receipt = receipted_twin
    number, amount = receipt.number, receipt.amount

    donors_merge(survivor=other, other=kept)

    receipt.refresh_from_db()
    assert (receipt.donor_id, receipt.number, receipt.amount) == (other.pk, number, amount)
