"""Recording a gift through its service costs a handful of queries, whoever records it (staff
in the back office, the Stripe webhook, an import, the quick start's demo): the organization
profile is read once, the donor's figures are refreshed set-based.

Each count includes the transaction's two statements (a savepoint and its release under the
test's transaction, BEGIN and COMMIT otherwise on SQLite). bench/one_door.py prints the
counts and the speed beside the previous code's."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from donors.models import DonorYearTotal, Gift
from donors.services import gift_record, gift_save
from tests.donors.admin_forms import GIFT_ADD_URL, gift_add_data
from tests.factories import make_donor, make_gift

# Savepoint, the gift's INSERT, its audit entry, the donor's figures (on PostgreSQL one
# statement: yearly rows, lifetime figures and the dashboard's standing; on SQLite five: the
# yearly rows deleted and recomputed, the lifetime figures, the standing deleted and
# recomputed), the donor's open asks the gift closes (none here), release.
_FIGURES = 1 if connection.vendor == "postgresql" else 5
CHECK_GIFT_QUERIES = 5 + _FIGURES
# And one read for the Stripe ids that no two gifts share.
STRIPE_GIFT_QUERIES = CHECK_GIFT_QUERIES + 1
# The whole add-gift request (20 on PostgreSQL): the session, the user, the request's
# savepoint, two permission reads, the donor chosen in the form and the form's check that it
# exists, the organization (read once per request), the gift's save through its service (as
# above), the soft-credit inline's service (two empty savepoints, four statements), the
# admin's own history entry.
ADMIN_ADD_QUERIES = 14 + CHECK_GIFT_QUERIES


@pytest.fixture
def warmed(organization):
    """A first gift recorded, so that what a process reads once (the audit log's content
    type) is read."""
    make_gift(donor=make_donor())


def _card(donor, n: int) -> Gift:
    return gift_record(
        donor=donor,
        amount="50.00",
        method="card",
        gift_date=datetime.date(2025, 5, 2),
        charged_at=datetime.datetime(2025, 5, 2, 15, 0, tzinfo=datetime.UTC),
        processor="stripe",
        stripe_payment_id=f"pi_{n}",
        stripe_charge_id=f"ch_{n}",
        fee="1.40",
    )


def test_a_check_gift_is_recorded_in_a_handful_of_queries(warmed, django_assert_max_num_queries):
    donor = make_donor()  # no time zone of its own: the organization's is used
    make_gift(donor=donor, amount=Decimal("40.00"), gift_date=datetime.date(2024, 6, 1))
    with django_assert_max_num_queries(CHECK_GIFT_QUERIES):
        gift_record(
            donor=donor,
            amount="25.00",
            method="check",
            gift_date=datetime.date(2025, 3, 1),
        )
    donor.refresh_from_db()
    assert (donor.lifetime_total, donor.gift_count, donor.years_given) == (
        Decimal("65.00"),
        2,
        2,
    )
    assert DonorYearTotal.objects.get(donor=donor, year=2025).total == Decimal("25.00")


def test_a_stripe_gift_is_recorded_in_a_handful_of_queries(warmed, django_assert_max_num_queries):
    donor = make_donor(time_zone="America/Chicago")
    with django_assert_max_num_queries(STRIPE_GIFT_QUERIES):
        gift = _card(donor, 1)
    assert gift.net == Decimal("48.60")
    donor.refresh_from_db()
    assert (donor.lifetime_total, donor.largest_gift) == (
        Decimal("50.00"),
        Decimal("50.00"),
    )


def test_the_one_read_of_the_stripe_ids_still_refuses_a_payment_recorded_twice(warmed):
    donor = make_donor()
    _card(donor, 7)
    with pytest.raises(Exception) as refused:
        _card(donor, 7)
    assert "Another gift already has this Stripe payment id." in str(refused.value)
    assert "Another gift already has this Stripe charge id." in str(refused.value)
    assert Gift.objects.filter(stripe_payment_id="pi_7").count() == 1


def test_the_organization_is_read_once_for_many_gifts(warmed):
    donors = [make_donor() for _ in range(3)]  # none with a time zone of its own
    with CaptureQueriesContext(connection) as captured:
        for donor in donors:
            gift_record(
                donor=donor,
                amount="10.00",
                method="cash",
                gift_date=datetime.date(2025, 1, 9),
            )
    reads = [q["sql"] for q in captured.captured_queries if "donors_organization" in q["sql"]]
    assert len(reads) <= 1, reads


def test_an_edit_that_moves_no_money_is_as_cheap(warmed, django_assert_max_num_queries):
    gift = make_gift(donor=make_donor(), amount=Decimal("80.00"))
    gift = Gift.objects.select_related("donor").get(pk=gift.pk)
    gift.notes = "Thanked by phone."
    # And two reads of the gift as it was: the service's (did its money change?) and the
    # audit log's (what changed?).
    with django_assert_max_num_queries(CHECK_GIFT_QUERIES + 2):
        gift_save(gift=gift)
    assert Gift.objects.get(pk=gift.pk).notes == "Thanked by phone."


def test_staff_adding_a_gift_in_the_back_office_pays_the_same(
    client, warmed, staff, django_assert_max_num_queries
):
    donor = make_donor()
    client.force_login(staff)
    client.get(GIFT_ADD_URL)  # the session and permissions settled, as in a real visit
    with django_assert_max_num_queries(ADMIN_ADD_QUERIES):
        response = client.post(GIFT_ADD_URL, gift_add_data(donor))
    assert response.status_code == 302, response.content[:2000]
    donor.refresh_from_db()
    assert donor.lifetime_total == Decimal("250.00")
