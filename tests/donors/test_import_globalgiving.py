"""`manage.py import_globalgiving`: payouts as gifts from the platform donor, donors behind them
as soft credits, with a column mapping for the report's headers."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from donors.models import Donor, DonorKind, Gift, SoftCredit
from tests import factories
from tests.donors.import_files import write_csv

pytestmark = pytest.mark.django_db

HEADER = ["Donation Date", "Donor First Name", "Donor Last Name", "Donor Email", "Donation Amount",
          "Project Title", "Disbursement ID"]  # fmt: skip


def run(path, *args) -> dict:
    out = StringIO()
    call_command("import_globalgiving", str(path), "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def report(tmp_path, organization):
    return write_csv(
        tmp_path / "gg.csv",
        HEADER,
        [
            ["2025-03-02", "Ayesha", "Khan", "ayesha@example.org", "50.00", "Schools", "D-100"],
            ["2025-03-05", "Omar", "Shah", "omar@example.org", "25.00", "Schools", "D-100"],
            ["2025-03-09", "Ayesha", "Khan", "ayesha@example.org", "10.00", "Schools", "D-100"],
            ["2025-04-01", "", "", "", "15.00", "Schools", "D-101"],
        ],
    )


def test_each_payout_is_one_gift_from_globalgiving_with_soft_credits(report):
    existing = factories.make_donor(first_name="Omar", last_name="Shah", email="omar@example.org")
    summary = run(report)

    assert summary["new"] == 4 and summary["donors_created"] == 1
    platform = Donor.objects.get(kind=DonorKind.PLATFORM)
    assert platform.display_name == "GlobalGiving"
    march = Gift.objects.get(external_id="globalgiving:D-100")
    assert (march.donor, march.method, march.amount, march.gift_date) == (
        platform,
        "globalgiving",
        Decimal("85.00"),
        datetime.date(2025, 3, 9),
    )
    assert march.designation == "Schools"
    credits = {
        (c.donor.display_name, c.kind, c.amount) for c in SoftCredit.objects.filter(gift=march)
    }
    assert credits == {
        ("Ayesha Khan", "platform_donor", Decimal("60.00")),
        ("Omar Shah", "platform_donor", Decimal("25.00")),
    }
    assert SoftCredit.objects.filter(donor=existing).count() == 1
    # The anonymous donation counts in its payout and is credited to nobody.
    april = Gift.objects.get(external_id="globalgiving:D-101")
    assert (april.amount, april.soft_credits.count()) == (Decimal("15.00"), 0)
    # Soft credits are not the donors' own giving.
    existing.refresh_from_db()
    assert existing.lifetime_total == Decimal("0.00")
    platform.refresh_from_db()
    assert platform.lifetime_total == Decimal("100.00")


def test_reimporting_the_report_changes_nothing(report):
    run(report)
    summary = run(report)
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 0, 4)
    assert Gift.objects.count() == 2
    assert SoftCredit.objects.count() == 2
    assert Donor.objects.count() == 3


def test_a_column_mapping_and_date_format_read_another_layout(tmp_path, organization):
    path = write_csv(
        tmp_path / "other.csv",
        ["Date", "Name", "E-mail", "Amount", "Payment Ref"],
        [["03/02/2025", "Hina Rauf", "hina@example.org", "1,000.00", "P-7"]],
    )
    summary = run(path, "--map", "date=Date", "--map", "name=Name", "--map", "email=E-mail",
                  "--map", "amount=Amount", "--map", "payout=Payment Ref", "--date-format", "%m/%d/%Y")  # fmt: skip
    assert summary["new"] == 1
    gift = Gift.objects.get()
    assert (gift.amount, gift.gift_date) == (Decimal("1000.00"), datetime.date(2025, 3, 2))
    assert SoftCredit.objects.get().donor.display_name == "Hina Rauf"


def test_bad_rows_and_missing_columns_are_reported(tmp_path, organization):
    path = write_csv(tmp_path / "bad.csv", HEADER, [["03/02/2025", "A", "B", "", "ten", "", ""]])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_globalgiving", str(path), stdout=StringIO(), stderr=err)
    assert (
        "line 2, donation_date: donation_date 03/02/2025 could be March 2 or February 3"
        in err.getvalue()
    )
    assert "line 2, donation_amount: donation_amount 'ten' is not a number" in err.getvalue()
    assert "line 2, disbursement_id: disbursement_id is missing" in err.getvalue()
    nothing = write_csv(tmp_path / "cols.csv", ["Date"], [["2025-01-01"]])
    with pytest.raises(CommandError):
        call_command("import_globalgiving", str(nothing), stdout=StringIO(), stderr=err)
    assert "map it with --map payout=HEADER" in err.getvalue()
    assert not Gift.objects.exists()


def test_the_report_s_gifts_and_soft_credits_are_audited_by_its_importer(report, staff):
    summary = run(report, "--user", staff.username)

    run_id = summary["import_run"]
    march = Gift.objects.get(external_id="globalgiving:D-100")
    (entry,) = LogEntry.objects.get_for_object(march)
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)
    assert entry.additional_data == {"import_run": run_id}
    assert entry.changes_dict["amount"] == ["None", "85.00"]
    for credit in SoftCredit.objects.filter(gift=march):
        (created,) = LogEntry.objects.get_for_object(credit)
        assert (created.action, created.actor) == (LogEntry.Action.CREATE, staff)
        assert created.additional_data == {"import_run": run_id}
        assert created.changes_dict["amount"] == ["None", f"{credit.amount:.2f}"]
        assert created.object_repr == str(credit)
