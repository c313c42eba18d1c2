from decimal import Decimal

from tests.factories import make_gift


def test_it_records_a_gift_and_updates_the_donor_figures(organization):
    gift = make_gift(amount=Decimal("250.00"))
    gift.donor.refresh_from_db()
    assert gift.donor.lifetime_total == Decimal("250.00")
