"""`manage.py import_donations`: SPEC's gift columns, strict validation, idempotent re-imports."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from donors import services
from donors.models import Donor, DonorKind, Gift, ImportRun, Pledge, SoftCredit
from tests import factories, processes
from tests.donors.import_files import read_csv, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["external_id", "donor_email", "donor_first_name", "donor_last_name", "address_line1",
          "city", "state", "postal_code", "gift_date", "amount", "method", "check_number",
          "postmark_date", "campaign", "notes"]  # fmt: skip


def run(path, *args) -> dict:
    out = StringIO()
    call_command("import_donations", str(path), "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def failing(path, *args) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_donations", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue() + str(raised.value)


@pytest.fixture
def gifts_file(tmp_path, organization):
    factories.make_campaign(name="Spring Dinner", slug="spring-dinner")
    rows = [
        ["", "ali@example.org", "Ali", "Khan", "1 Main St", "Carmel", "IN", "46032",
         "2025-01-06", "1,200.50", "check", "1001", "2024-12-30", "Spring Dinner", ""],
        ["", "", "Sara", "Ahmed", "", "", "", "", "2025-02-01", "75", "cash", "", "", "", ""],
        ["WEB-3", "ALI@example.org", "Ali", "Khan", "", "", "", "", "2025-03-01", "$50",
         "card", "", "", "spring-dinner", "online"],
    ]  # fmt: skip
    return write_csv(tmp_path / "gifts.csv", HEADER, rows)


def test_import_creates_gifts_and_donors_with_tax_dates_and_figures(gifts_file, staff):
    summary = run(gifts_file, "--user", "bob")

    assert (summary["new"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    assert summary["donors_created"] == 2
    ali = Donor.objects.get(emails__email="ali@example.org")
    assert ali.display_name == "Ali Khan"
    assert ali.addresses.get().postal_code == "46032"
    check = Gift.objects.get(method="check")
    assert check.amount == Decimal("1200.50")
    assert check.check_number == "1001"
    # A mailed check's postmark decides the tax year.
    assert check.tax_date == datetime.date(2024, 12, 30)
    assert check.campaign.name == "Spring Dinner"
    assert Gift.objects.get(external_id="WEB-3").donor == ali
    ali.refresh_from_db()
    assert ali.lifetime_total == Decimal("1250.50")
    assert ali.gift_count == 2
    run_record = ImportRun.objects.get()
    assert run_record.user == staff
    assert (run_record.file_name, run_record.new, run_record.donors_created) == ("gifts.csv", 3, 2)
    assert set(Gift.objects.values_list("import_run", flat=True)) == {run_record.pk}


def test_an_imported_gift_has_every_default_the_file_leaves_out(gifts_file):
    """The import writes only the columns the file gives; the rest take the model's defaults
    (on PostgreSQL, the database's own: the same values, written once in the schema)."""
    run(gifts_file)

    for gift in Gift.objects.all():
        assert gift.status == "succeeded"
        assert gift.amount_refunded == Decimal("0.00")
        assert (gift.designation, gift.processor, gift.card_last4) == ("", "", "")
        assert (gift.original_currency, gift.tribute_kind, gift.tribute_name) == ("", "", "")
        assert (gift.tribute_notify_name, gift.tribute_notify_email) == ("", "")
        assert (gift.thanked_via, gift.thanked_at, gift.thanked_by) == ("", None, None)
        assert not (gift.earmarked or gift.unusual_grant or gift.benefit_is_low_cost_article)
        assert (gift.fee, gift.stripe_payment_id, gift.recurring_plan) == (None, None, None)
        assert gift.created_at is not None
    # Counted by the figures as any gift that succeeded.
    assert Donor.objects.get(emails__email="ali@example.org").lifetime_total == Decimal("1250.50")


def test_the_collector_runs_again_after_an_import_that_works_or_fails(gifts_file, tmp_path):
    """Imports pause Python's garbage collector for their duration (speed); a web worker that
    ran one must not be left without it, whatever became of the import."""
    import gc

    run(gifts_file)
    assert gc.isenabled()
    failing(write_csv(tmp_path / "bad.csv", HEADER, [["", "x@example.org", "X", "Y", "", "", "",
                                                       "", "2025-01-01", "1,2O0", "cash", "",
                                                       "", "", ""]]))  # fmt: skip
    assert gc.isenabled()
    with pytest.raises(CommandError):
        call_command("import_donations", str(tmp_path / "missing.csv"), stdout=StringIO())
    assert gc.isenabled()


def test_reimporting_the_same_file_changes_nothing(gifts_file):
    run(gifts_file)
    before = list(Gift.objects.order_by("pk").values())

    summary = run(gifts_file)

    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 0, 3)
    assert summary["donors_created"] == 0
    assert list(Gift.objects.order_by("pk").values()) == before
    assert Donor.objects.count() == 2


def test_a_row_with_an_external_id_updates_its_gift(gifts_file, tmp_path):
    run(gifts_file)
    changed = write_csv(
        tmp_path / "changed.csv",
        ["external_id", "donor_email", "gift_date", "amount", "method"],
        [["WEB-3", "ali@example.org", "2025-03-01", "55", "card"]],
    )
    summary = run(changed)
    assert (summary["new"], summary["updated"]) == (0, 1)
    assert Gift.objects.get(external_id="WEB-3").amount == Decimal("55.00")
    assert Donor.objects.get(emails__email="ali@example.org").lifetime_total == Decimal("1255.50")


def test_bad_values_are_reported_by_line_and_column_and_nothing_is_imported(tmp_path, organization):
    path = write_csv(
        tmp_path / "bad.csv",
        ["donor_email", "donor_last_name", "gift_date", "amount", "method", "check_number"],
        [
            ["a@example.org", "Khan", "2025-01-05", "100", "check", ""],
            ["b@example.org", "Khan", "05/01/2025", "1,2O0", "check", "12.7"],
            ["c@example.org", "Khan", "13/01/2025", "12,00", "visa", ""],
            ["d@example.org", "Khan", "2025-02-01", "-5", "cash", ""],
            ["", "", "2025-02-01", "5", "cash", ""],
        ],
    )
    output = failing(path)

    assert (
        "line 3, gift_date: gift_date 05/01/2025 could be May 1 or January 5: use YYYY-MM-DD"
        in output
    )
    assert "line 3, amount: amount '1,2O0' is not a number" in output
    assert "line 3, check_number: check_number '12.7' is not a whole number" in output
    assert "line 4, gift_date: gift_date 13/01/2025: use YYYY-MM-DD" in output
    assert "line 4, amount: amount '12,00' has a thousands separator in the wrong place" in output
    assert "line 4, method: method 'visa' is not one of: card, ach, check" in output
    assert "line 5, amount: amount '-5' is negative" in output
    assert "line 6, donor_last_name: no donor" in output
    assert "nothing was imported" in output
    assert not Gift.objects.exists()
    assert not Donor.objects.exists()
    assert not ImportRun.objects.exists()


def test_the_gift_rules_apply_to_imported_rows(tmp_path, organization):
    path = write_csv(
        tmp_path / "rules.csv",
        ["donor_email", "donor_last_name", "gift_date", "amount", "method", "postmark_date"],
        [
            ["a@example.org", "Khan", "2025-01-05", "100", "stock", ""],
            ["b@example.org", "Khan", "2025-01-05", "100", "daf_grant", ""],
            ["c@example.org", "Khan", "2025-01-05", "100", "check", "2025-01-09"],
            ["d@example.org", "Khan", "2999-01-05", "100", "cash", ""],
        ],
    )
    output = failing(path)
    assert "line 2, stock_shares: a stock gift needs the number of shares" in output
    assert "line 3, method: a DAF grant comes from the fund's sponsor" in output
    assert "line 4, postmark_date: the postmark cannot be later than the date received" in output
    assert "line 5, gift_date: the gift date is in the future" in output


def test_unknown_and_missing_columns_are_errors(tmp_path, organization):
    path = write_csv(
        tmp_path / "cols.csv",
        ["donor_email", "gift_date", "colour"],
        [["a@example.org", "2025-01-05", "red"]],
    )
    output = failing(path)
    assert "line 1, colour: unknown column 'colour'" in output
    assert "the file has no 'amount' column" in output
    assert "the file has no 'method' column" in output


def test_a_file_with_errors_exits_non_zero(tmp_path):
    path = write_csv(
        tmp_path / "cols.csv", ["donor_email", "gift_date", "amount", "method", "tip"], []
    )
    done = processes.manage("import_donations", str(path), env=processes.clean_env())
    assert done.returncode == 1
    assert "unknown column 'tip'" in done.stderr
    assert "nothing was imported" in done.stderr


def test_skip_errors_imports_good_rows_and_returns_bad_ones_with_their_error(
    tmp_path, organization
):
    path = write_csv(
        tmp_path / "mixed.csv",
        ["donor_email", "donor_last_name", "gift_date", "amount", "method"],
        [
            ["a@example.org", "Khan", "2025-01-05", "100", "check"],
            ["b@example.org", "Shah", "2025-01-05", "abc", "check"],
            ["a@example.org", "Khan", "2025-01-06", "20", "cash"],
        ],
    )
    summary = run(path, "--skip-errors")

    assert (summary["new"], summary["skipped"]) == (2, 1)
    assert sorted(Gift.objects.values_list("amount", flat=True)) == [
        Decimal("20.00"),
        Decimal("100.00"),
    ]
    assert not Donor.objects.filter(last_name="Shah").exists()
    bad = read_csv(tmp_path / "mixed.csv.errors.csv")
    assert bad == [
        {"donor_email": "b@example.org", "donor_last_name": "Shah", "gift_date": "2025-01-05",
         "amount": "abc", "method": "check", "error": "line 3, amount 'abc' is not a number"}
    ]  # fmt: skip


def test_dry_run_reports_and_writes_nothing(gifts_file):
    summary = run(gifts_file, "--dry-run")
    assert (summary["dry_run"], summary["imported"], summary["new"]) == (True, False, 3)
    assert summary["donors_created"] == 2
    assert not Gift.objects.exists()
    assert not Donor.objects.exists()


def test_donors_are_matched_by_email_then_name_and_postal_code(tmp_path, organization):
    by_email = factories.make_donor(first_name="Omar", last_name="Farooq", email="omar@example.org")
    by_address = factories.make_donor(
        first_name="Ayesha",
        last_name="Siddiqui",
        email="old@example.org",
        address={"line1": "9 Elm", "city": "Fishers", "region": "IN", "postal_code": "46038-1234"},
    )
    path = write_csv(
        tmp_path / "match.csv",
        ["donor_email", "donor_first_name", "donor_last_name", "address_line1", "city", "state",
         "postal_code", "gift_date", "amount", "method"],
        [
            ["OMAR@example.org", "O.", "Farooq", "", "", "", "", "2025-01-05", "10", "cash"],
            ["new@example.org", "ayesha", "SIDDIQUI", "9 Elm St", "Fishers", "IN", "46038",
             "2025-01-05", "20", "cash"],
            ["", "Zara", "Malik", "", "", "", "", "2025-01-05", "30", "cash"],
            ["", "Zara", "Malik", "", "", "", "", "2025-01-06", "40", "cash"],
            ["zara@example.org", "Zara", "Malik", "", "", "", "", "2025-01-07", "50", "cash"],
        ],
    )  # fmt: skip
    summary = run(path)

    assert summary["donors_created"] == 1
    assert Gift.objects.get(amount=10).donor == by_email
    assert Gift.objects.get(amount=20).donor == by_address
    zara = Donor.objects.get(last_name="Malik")
    assert sorted(zara.gifts.values_list("amount", flat=True)) == [30, 40, 50]
    assert list(zara.emails.values_list("email", flat=True)) == ["zara@example.org"]


def test_xlsx_files_import_and_a_fraction_in_a_whole_number_column_is_refused(
    tmp_path, organization
):
    header = ["donor_email", "donor_last_name", "gift_date", "amount", "method", "check_number"]
    good = write_xlsx(
        tmp_path / "good.xlsx",
        header,
        [["a@example.org", "Khan", datetime.date(2025, 4, 1), 250.5, "check", 1001]],
    )
    assert run(good)["new"] == 1
    gift = Gift.objects.get()
    assert (gift.amount, gift.gift_date, gift.check_number) == (
        Decimal("250.50"),
        datetime.date(2025, 4, 1),
        "1001",
    )
    bad = write_xlsx(
        tmp_path / "bad.xlsx",
        header,
        [["b@example.org", "Khan", "2025-04-01", 10, "check", 12.7]],
    )
    assert "line 2, check_number: check_number '12.7' is not a whole number" in failing(bad)


def test_soft_credits_and_pledge_payments(tmp_path, organization):
    employer = factories.make_donor(
        kind=DonorKind.COMPANY, organization_name="Acme", email="hr@acme.example"
    )
    employee = factories.make_donor(first_name="Bilal", last_name="Raza", email="bilal@example.org")
    pledge = services.pledge_create(
        donor=employee,
        amount=Decimal("300"),
        pledge_date=datetime.date(2025, 1, 1),
        external_id="P-1",
    )
    path = write_csv(
        tmp_path / "soft.csv",
        ["external_id", "donor_email", "gift_date", "amount", "method", "soft_credit_email",
         "soft_credit_kind", "pledge_id"],
        [
            ["M-1", "hr@acme.example", "2025-02-01", "100", "employer_match", "bilal@example.org", "match", ""],
            ["C-1", "bilal@example.org", "2025-02-01", "300", "check", "", "", "P-1"],
        ],
    )  # fmt: skip
    run(path)

    match = Gift.objects.get(external_id="M-1")
    assert match.donor == employer
    credit = SoftCredit.objects.get()
    assert (credit.gift, credit.donor, credit.kind, credit.amount) == (
        match,
        employee,
        "match",
        Decimal("100.00"),
    )
    pledge.refresh_from_db()
    assert Gift.objects.get(external_id="C-1").pledge == pledge
    assert pledge.status == "fulfilled"
    # Soft credits never count toward the employee's own figures.
    employee.refresh_from_db()
    assert employee.lifetime_total == Decimal("300.00")


def test_overpaying_a_pledge_or_an_unknown_pledge_is_an_error(tmp_path, organization):
    donor = factories.make_donor(email="p@example.org")
    services.pledge_create(
        donor=donor, amount=Decimal("100"), pledge_date=datetime.date(2025, 1, 1), external_id="P-9"
    )
    path = write_csv(
        tmp_path / "pledge.csv",
        ["donor_email", "gift_date", "amount", "method", "pledge_id", "soft_credit_email", "soft_credit_kind"],
        [
            ["p@example.org", "2025-02-01", "60", "cash", "P-9", "", ""],
            ["p@example.org", "2025-02-02", "60", "cash", "P-9", "", ""],
            ["p@example.org", "2025-02-03", "10", "cash", "P-404", "nobody@example.org", "solicitor"],
        ],
    )  # fmt: skip
    output = failing(path)
    assert (
        "line 3, amount: amount $60.00 is more than pledge 'P-9' has left to pay ($40.00)" in output
    )
    assert "line 4, pledge_id: pledge_id 'P-404' matches no pledge" in output
    # An unknown soft_credit_email is no error: it makes a new donor (test_import_soft_credits).
    assert "soft_credit_email" not in output
    assert not Gift.objects.exists()
    assert Pledge.objects.get().status == "open"


def test_two_identical_rows_without_external_id_are_an_error(tmp_path, organization):
    path = write_csv(
        tmp_path / "twice.csv",
        ["donor_email", "donor_last_name", "gift_date", "amount", "method"],
        [["a@example.org", "Khan", "2025-01-05", "100", "cash"]] * 2,
    )
    assert "line 3, external_id: same donor, date, amount and method as line 2" in failing(path)


def test_human_summary_without_json(gifts_file):
    out = StringIO()
    call_command("import_donations", str(gifts_file), stdout=out)
    assert (
        "gifts.csv: imported 3 gift rows: 3 new, 0 updated, 0 unchanged, 0 skipped; 2 new donors."
        in out.getvalue()
    )


def test_the_import_run_page_shows_who_imported_what_and_lists_its_gifts(gifts_file, staff, client):
    run(gifts_file, "--user", "bob")
    record = ImportRun.objects.get()
    client.force_login(staff)
    page = client.get(f"/admin/donors/importrun/{record.pk}/change/")
    assert page.status_code == 200
    assert "gifts.csv" in page.text and "bob" in page.text
    listing = client.get(f"/admin/donors/gift/?import_run__id__exact={record.pk}")
    assert listing.status_code == 200
    assert "3 gifts" in listing.text or len(listing.context["cl"].result_list) == 3


def test_an_import_keeps_the_dashboard_month_totals_and_figures_equal_to_its_gifts(
    tmp_path, organization
):
    # On PostgreSQL the gifts go in by COPY and the totals follow once per statement.
    from donors.models import GiftMonthTotal
    from donors.services.month_totals import gift_month_totals_rebuild

    rows = [[f"M-{n}", f"m{n % 3}@example.org", "Mina", f"Shah{n % 3}", "", "", "", "",
             f"2025-0{1 + n % 4}-1{n % 9}", f"{10 + n}.25", ("check", "cash", "card")[n % 3],
             "", "", "", ""] for n in range(30)]  # fmt: skip
    path = write_csv(tmp_path / "many.csv", HEADER, rows)
    run(path)
    # A second file changes two amounts: the totals move with them.
    rows[0][9], rows[1][9] = "500.00", "1500.00"
    assert run(write_csv(tmp_path / "changed.csv", HEADER, rows))["updated"] == 2

    def kept():
        return sorted(GiftMonthTotal.objects.filter(gift_count__gt=0).values_list(
            "month", "campaign_key", "channel", "total_cents", "gift_count"))  # fmt: skip

    after_import = kept()
    gift_month_totals_rebuild()
    assert after_import == kept()
    assert sum(r[4] for r in after_import) == 30
    donor = Donor.objects.get(emails__email="m0@example.org")
    assert donor.lifetime_total == sum(donor.gifts.values_list("amount", flat=True))


def test_a_dry_run_of_a_file_with_bad_rows_says_what_a_real_run_would_do(tmp_path, organization):
    path = write_csv(
        tmp_path / "mixed.csv",
        ["donor_email", "donor_last_name", "gift_date", "amount", "method"],
        [
            ["a@example.org", "Khan", "2025-01-05", "100", "check"],
            ["b@example.org", "Khan", "2025-01-06", "-5", "check"],
        ],
    )
    # Without --skip-errors: the file would import nothing, and the exit code says so.
    output = failing(path, "--dry-run")
    assert "line 3, amount: amount '-5' is negative" in output
    assert "a real run would import nothing" in output

    # With --skip-errors: the good row would go in; no failure for what the user accepted.
    out, err = StringIO(), StringIO()
    call_command(
        "import_donations", str(path), "--dry-run", "--skip-errors", stdout=out, stderr=err
    )
    assert "would import 2 gift rows: 1 new, 0 updated, 0 unchanged, 1 skipped" in out.getvalue()
    assert "a real run would skip those rows" in err.getvalue()
    assert not Gift.objects.exists()
