"""Issuing, voiding and replacing receipts through the services, and their numbers."""

import datetime
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from compliance import services
from compliance.models import Receipt, ReceiptCounter, ReceiptKind
from compliance.services import ReceiptRefused
from donors import services as donor_services
from donors.models import DonorKind, GiftMethod, GiftStatus
from tests import factories
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def test_first_receipt_of_the_year_is_numbered_000001(organization):
    receipt = services.receipt_issue(gift=factories.make_gift())
    assert receipt.number == f"{receipt.year}-000001"
    second = services.receipt_issue(gift=factories.make_gift())
    assert second.sequence == 2


def test_receipt_snapshots_donor_organization_and_amounts(organization):
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan")
    donor_services.donor_address_add(
        donor=donor,
        line1="12 Elm St",
        city="Carmel",
        region="IN",
        postal_code="46032",
    )
    gift = factories.make_gift(
        donor=donor,
        amount=D("150.00"),
        benefit_value=D("60.00"),
        benefit_description="dinner for one",
    )
    receipt = services.receipt_issue(gift=gift)
    assert receipt.donor_name == "Ayesha Khan"
    assert receipt.donor_address == "12 Elm St\nCarmel, IN 46032"
    assert receipt.org_name == "Movement for Solidarity and Peace in Pakistan"
    assert receipt.org_ein == "12-3456789"
    assert receipt.amount == D("150.00")
    assert receipt.benefit_value == D("60.00")
    assert receipt.deductible_amount == D("90.00")
    assert "501(c)(3)" in receipt.org_exemption_statement

    # Later edits to the donor or the organization do not change an issued receipt.
    donor.first_name = "Aisha"
    donor_services.donor_save(donor=donor)
    organization.legal_name = "Renamed"
    donor_services.organization_save(organization=organization)
    receipt.refresh_from_db()
    assert receipt.donor_name == "Ayesha Khan"
    assert receipt.org_name == "Movement for Solidarity and Peace in Pakistan"


def test_insubstantial_benefit_is_left_off_the_receipt(organization):
    gift = factories.make_gift(
        amount=D("1000.00"), benefit_value=D("20.00"), benefit_description="a tote bag"
    )
    receipt = services.receipt_issue(gift=gift)
    assert receipt.benefit_value == D("0.00")
    assert receipt.deductible_amount == D("1000.00")


def test_a_gift_is_never_receipted_twice(organization):
    gift = factories.make_gift()
    services.receipt_issue(gift=gift)
    with pytest.raises(ReceiptRefused, match="already has a valid receipt"):
        services.receipt_issue(gift=gift)
    assert Receipt.objects.filter(gift=gift).count() == 1
    assert ReceiptCounter.objects.get(series="receipt").last_sequence == 1


@pytest.mark.parametrize("status", [GiftStatus.REFUNDED, GiftStatus.FAILED, GiftStatus.PENDING])
def test_refunded_failed_or_pending_gifts_are_refused(organization, status):
    refunded = D("100.00") if status == GiftStatus.REFUNDED else D("0")
    gift = factories.make_gift(status=status, amount_refunded=refunded)
    with pytest.raises(ReceiptRefused, match="not receipted"):
        services.receipt_issue(gift=gift)
    assert not Receipt.objects.exists()
    # The refusal used no number.
    assert not ReceiptCounter.objects.filter(last_sequence__gt=0).exists()


def test_no_receipt_without_an_organization_profile():
    with pytest.raises(ReceiptRefused, match="organization profile"):
        services.receipt_issue(gift=factories.make_gift())


def test_daf_grant_is_receipted_to_the_sponsor(organization):
    sponsor = factories.make_donor(
        kind=DonorKind.DAF_SPONSOR, organization_name="Fidelity Charitable"
    )
    gift = factories.make_gift(donor=sponsor, method=GiftMethod.DAF_GRANT)
    factories.services.soft_credit_add(gift=gift, donor=factories.make_donor(), kind="daf_advisor")
    receipt = services.receipt_issue(gift=gift)
    assert receipt.recipient == "daf_sponsor"
    assert receipt.donor_name == "Fidelity Charitable"


def test_stock_receipt_states_shares_and_issuer(organization):
    gift = factories.make_gift(
        method=GiftMethod.STOCK,
        amount=D("5230.00"),
        stock_shares=D("25"),
        stock_issuer="Apple Inc.",
    )
    receipt = services.receipt_issue(gift=gift)
    assert receipt.non_cash_description == "25 shares of Apple Inc."


def test_partially_refunded_gift_is_receipted_for_what_was_kept(organization):
    gift = factories.make_gift(
        amount=D("500.00"), amount_refunded=D("200.00"), status=GiftStatus.PARTIALLY_REFUNDED
    )
    receipt = services.receipt_issue(gift=gift)
    assert (receipt.amount, receipt.deductible_amount) == (D("300.00"), D("300.00"))


def test_void_keeps_the_number_and_needs_a_reason(organization, staff):
    receipt = services.receipt_issue(gift=factories.make_gift())
    with pytest.raises(ValidationError):
        services.receipt_void(receipt=receipt, reason="  ")
    services.receipt_void(receipt=receipt, reason="Wrong address", voided_by=staff)
    receipt.refresh_from_db()
    assert receipt.number.endswith("-000001")
    assert receipt.void_reason == "Wrong address"
    assert receipt.voided_by == staff
    with pytest.raises(ValidationError, match="already void"):
        services.receipt_void(receipt=receipt, reason="again")


def test_replace_issues_a_corrected_receipt_naming_the_old_one(organization, staff):
    gift = factories.make_gift(amount=D("300.00"))
    old = services.receipt_issue(gift=gift)
    new = services.receipt_replace(receipt=old, reason="Address changed", issued_by=staff)
    old.refresh_from_db()
    assert old.voided_at is not None
    assert new.kind == ReceiptKind.CORRECTED
    assert new.replaces == old
    assert new.sequence == old.sequence + 1
    assert new.issued_by == staff


def test_issuing_and_voiding_leave_audit_records(organization, staff):
    receipt = services.receipt_issue(gift=factories.make_gift(), issued_by=staff)
    services.receipt_void(receipt=receipt, reason="Duplicate", voided_by=staff)
    entries = LogEntry.objects.get_for_object(receipt)
    assert entries.count() == 2


def test_issue_due_skips_gifts_not_ours_and_is_idempotent(organization):
    ours = factories.make_gift(gift_date=datetime.date(2025, 3, 1))
    later = factories.make_gift(gift_date=datetime.date(2025, 6, 1))
    platform = factories.make_donor(kind=DonorKind.PLATFORM, organization_name="GlobalGiving")
    gg = factories.make_gift(
        donor=platform, method=GiftMethod.GLOBALGIVING, gift_date=datetime.date(2025, 3, 2)
    )
    refunded = factories.make_gift(status=GiftStatus.REFUNDED, amount_refunded=D("100.00"))

    result = services.receipts_issue_due(through=datetime.date(2025, 3, 31))
    assert {r.gift_id for r in result.issued} == {ours.pk, gg.pk}
    assert refunded.pk not in {r.gift_id for r in result.issued}
    assert later.pk not in {r.gift_id for r in result.issued}
    again = services.receipts_issue_due(through=datetime.date(2025, 3, 31))
    assert again.issued == []
    assert Receipt.objects.count() == 2


def test_receipts_are_numbered_within_the_year_of_issue(organization):
    first = services.receipt_issue(
        gift=factories.make_gift(),
        now=datetime.datetime(2025, 12, 31, 12, 0, tzinfo=datetime.UTC),
    )
    second = services.receipt_issue(
        gift=factories.make_gift(),
        now=datetime.datetime(2026, 1, 2, 12, 0, tzinfo=datetime.UTC),
    )
    assert (first.number, second.number) == ("2025-000001", "2026-000001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_repeats_or_skips_a_number(postgres_only):
    factories.make_organization()
    factories.ensure_benefit_limits()
    donor = factories.make_donor()
    gifts = [factories.make_gift(donor=donor) for _ in range(400)]
    chunks = [gifts[i::8] for i in range(8)]

    def work(chunk):
        for gift in chunk:
            services.receipt_issue(gift=gift)

    _, errors = run_at_once(work, chunks)
    assert errors == []
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 401))
    assert Receipt.objects.values("gift").distinct().count() == 400
