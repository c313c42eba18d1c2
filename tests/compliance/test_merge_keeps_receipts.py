"""A donor merge moves everything to the donor kept, issued receipts and statements included,
and never changes what they printed: same number, snapshot, amounts, verification code, PDF."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from reportlab import rl_config

from compliance.models import Receipt, YearEndStatement
from compliance.pdf import receipt_pdf, statement_pdf
from compliance.services import receipt_issue, statements_issue
from donors import services as donor_services
from donors.models import Donor, Gift, Pledge, RecurringPlan, SoftCredit
from donors.services.merge import donors_merge
from events import services as event_services
from events.models import RSVP
from tests.factories import ensure_benefit_limits, make_donor, make_event, make_gift

_KEPT_AS_ISSUED = [
    f.attname
    for f in Receipt._meta.concrete_fields
    if f.attname not in ("donor_id", "merged_from_donor_pk")
]
_STATEMENT_AS_ISSUED = [
    f.attname
    for f in YearEndStatement._meta.concrete_fields
    if f.attname not in ("donor_id", "merged_from_donor_pk")
]


def _as_issued(document, names):
    return {name: getattr(document, name) for name in names}


@pytest.fixture(autouse=True)
def _same_bytes_each_render(monkeypatch):
    # reportlab stamps each PDF with the time and a random id; invariant mode leaves them out,
    # so two renders of one document compare byte for byte.
    monkeypatch.setattr(rl_config, "invariant", 1)


def _donor_with_everything(first: str, email: str, event, amount: str) -> Donor:
    donor = make_donor(first_name=first, last_name="Khan", email=email)
    gift = make_gift(donor=donor, amount=Decimal(amount), gift_date=datetime.date(2025, 3, 1))
    receipt_issue(gift=gift)
    someone = make_donor()
    donor_services.soft_credit_add(gift=make_gift(donor=someone), donor=donor, kind="solicitor")
    donor_services.pledge_create(
        donor=donor, amount=Decimal("500"), pledge_date=datetime.date(2025, 1, 1)
    )
    donor_services.recurring_plan_create(
        donor=donor, amount="20", started_on=datetime.date(2025, 1, 1)
    )
    event_services.rsvp_submit(event=event, donor=donor, answer="yes", party_size=2)
    return donor


@pytest.fixture
def twins(organization):
    ensure_benefit_limits()
    kept = _donor_with_everything("Ayesha", "ayesha@example.org", make_event(), "300.00")
    other = _donor_with_everything("Ayesha", "a.khan@example.org", make_event(), "125.00")
    statements_issue(year=2025, donor_ids=[kept.pk, other.pk])
    return kept, other


def test_merge_moves_every_record_and_leaves_receipts_and_statements_as_issued(twins, staff):
    kept, other = twins
    other_pk = other.pk
    receipts = {
        r.pk: (_as_issued(r, _KEPT_AS_ISSUED), receipt_pdf(r)) for r in Receipt.objects.all()
    }
    statements = {
        s.pk: (_as_issued(s, _STATEMENT_AS_ISSUED), statement_pdf(s))
        for s in YearEndStatement.objects.all()
    }
    assert len(receipts) == 2 and len(statements) == 2

    donors_merge(survivor=kept, other=other, user=staff)

    assert not Donor.objects.filter(pk=other_pk).exists()
    assert Gift.objects.filter(donor=kept).count() == 2
    assert SoftCredit.objects.filter(donor=kept).count() == 2
    assert Pledge.objects.filter(donor=kept).count() == 2
    assert RecurringPlan.objects.filter(donor=kept).count() == 2
    assert RSVP.objects.filter(donor=kept).count() == 2
    for receipt in Receipt.objects.all():
        assert receipt.donor_id == kept.pk
        fields, pdf = receipts[receipt.pk]
        assert _as_issued(receipt, _KEPT_AS_ISSUED) == fields
        assert receipt_pdf(receipt) == pdf
    # Both statements of 2025 stay valid, each as issued to its donor.
    for statement in YearEndStatement.objects.all():
        assert (statement.donor_id, statement.voided_at) == (kept.pk, None)
        fields, pdf = statements[statement.pk]
        assert _as_issued(statement, _STATEMENT_AS_ISSUED) == fields
        assert statement_pdf(statement) == pdf
    moved_from = Receipt.objects.values_list("merged_from_donor_pk", flat=True)
    assert sorted(moved_from, key=str) == sorted([None, other_pk], key=str)

    # Audited: the merge on the donor kept, and the move on each document it repointed.
    merged = [e for e in LogEntry.objects.get_for_object(kept) if "merged" in e.changes_dict]
    assert merged and merged[0].actor == staff
    moved = Receipt.objects.get(merged_from_donor_pk=other_pk)
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Receipt), object_pk=str(moved.pk)
    ).latest("pk")
    assert entry.actor == staff
    assert entry.changes_dict["donor"] == [str(other_pk), str(kept.pk)]
    assert (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(YearEndStatement),
            action=LogEntry.Action.UPDATE,
        ).count()
        == 1
    )


def test_the_next_statement_of_the_merged_donor_replaces_both(twins):
    kept, other = twins
    donors_merge(survivor=kept, other=other)

    (statement,) = statements_issue(year=2025, donor_ids=[kept.pk])

    assert statement.total_deductible == Decimal("425.00")
    valid = YearEndStatement.objects.filter(donor=kept, voided_at__isnull=True)
    assert list(valid) == [statement]
    assert YearEndStatement.objects.filter(voided_at__isnull=False).count() == 2


def test_merging_the_other_way_round_keeps_them_as_issued_too(twins):
    kept, other = twins
    numbers = set(Receipt.objects.values_list("number", "amount", "donor_name"))

    donors_merge(survivor=other, other=kept)

    assert set(Receipt.objects.values_list("number", "amount", "donor_name")) == numbers
    assert set(Receipt.objects.values_list("donor_id", flat=True)) == {other.pk}


def test_staff_merge_two_donors_who_both_hold_receipts_from_the_duplicates_page(
    twins, staff, client
):
    kept, other = twins
    client.force_login(staff)
    url = f"/admin/donors/donor/merge/{kept.pk}/{other.pk}/"

    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('name="survivor"') == 2  # either may be kept
    assert "exactly as issued" in page.text
    response = client.post(url, {"survivor": str(kept.pk)})

    assert response.status_code == 302
    assert set(Receipt.objects.values_list("donor_id", flat=True)) == {kept.pk}
    assert set(YearEndStatement.objects.values_list("donor_id", flat=True)) == {kept.pk}
