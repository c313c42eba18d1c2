"""python manage.py issue_receipts, exactly as SPEC's public contract says."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from compliance.models import Receipt
from donors.models import DonorKind, GiftMethod
from tests import factories
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _run(*args, capsys):
    call_command("issue_receipts", *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_json_lists_each_new_receipt_with_its_pdf(organization, tmp_path, capsys):
    donor = factories.make_donor(email="ayesha@example.org")
    gift = factories.make_gift(
        donor=donor, amount=D("150.00"), benefit_value=D("60.00"), benefit_description="dinner"
    )
    out, _ = _run("--through", "2025-12-31", "--out", str(tmp_path), "--json", capsys=capsys)
    (row,) = json.loads(out)
    receipt = Receipt.objects.get()
    assert row == {
        "number": receipt.number,
        "donor_email": "ayesha@example.org",
        "gift_ids": [gift.pk],
        "amount": "150.00",
        "deductible_amount": "90.00",
        "pdf": str(tmp_path / f"receipt-{receipt.number}.pdf"),
    }
    assert receipt.number in pdf_text((tmp_path / f"receipt-{receipt.number}.pdf").read_bytes())


def test_running_twice_issues_nothing_the_second_time(organization, capsys):
    factories.make_gift()
    first, _ = _run("--json", capsys=capsys)
    second, _ = _run("--json", capsys=capsys)
    assert len(json.loads(first)) == 1
    assert json.loads(second) == []
    assert Receipt.objects.count() == 1


def test_through_leaves_later_gifts_for_later(organization, capsys):
    early = factories.make_gift(gift_date=datetime.date(2025, 1, 10))
    factories.make_gift(gift_date=datetime.date(2025, 2, 10))
    out, _ = _run("--through", "2025-01-31", "--json", capsys=capsys)
    assert [row["gift_ids"] for row in json.loads(out)] == [[early.pk]]


def test_refused_gifts_are_reported_with_the_reason(capsys):
    gift = factories.make_gift()  # no organization profile yet: nothing can be receipted
    out, err = _run(capsys=capsys)
    assert "Issued 0 receipt(s)" in out
    assert f"Gift {gift.pk} not receipted: Fill in the organization profile" in err


def test_globalgiving_payout_is_acknowledged_to_globalgiving(organization, capsys):
    platform = factories.make_donor(kind=DonorKind.PLATFORM, organization_name="GlobalGiving")
    factories.make_gift(donor=platform, method=GiftMethod.GLOBALGIVING, amount=D("2500.00"))
    _run(capsys=capsys)
    assert Receipt.objects.get().recipient == "globalgiving"


def test_a_bad_date_is_a_clear_error(organization):
    with pytest.raises(CommandError, match="write it as YYYY-MM-DD"):
        call_command("issue_receipts", "--through", "31/12/2025")
