"""Files valid under SPEC's gift import columns import (issue 14, item 6): a stock gift given by
its non_cash_description alone, and a soft_credit_email that no donor has yet, which makes that
donor. Through `manage.py import_donations` and the admin's import page."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import rules as receipt_rules
from compliance.models import Receipt
from donors.models import Donor, DonorEmail, Gift, GiftMethod, ImportRun, SoftCredit
from donors.rules import gift_problems
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.admin_forms import form_data
from tests.donors.import_files import csv_bytes, write_csv
from tests.donors.test_import_admin import confirm, upload

pytestmark = pytest.mark.django_db

# Only SPEC's columns: no stock_shares, no stock_issuer.
HEADER = ["external_id", "donor_email", "donor_first_name", "donor_last_name", "gift_date",
          "amount", "method", "non_cash_description", "soft_credit_email", "soft_credit_kind"]  # fmt: skip
STOCK = ["S-1", "ali@example.org", "Ali", "Khan", "2025-03-04", "5,230.00", "stock",
         "100 shares of Example Corp", "", ""]  # fmt: skip


def run(path, *args) -> dict:
    out = StringIO()
    call_command("import_donations", str(path), "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def text_run(path, *args) -> str:
    out = StringIO()
    call_command("import_donations", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def failing(path, *args) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_donations", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue() + str(raised.value)


# --- A stock gift described in non_cash_description only ---------------------------------


def test_a_stock_gift_with_only_its_description_imports_and_is_receipted_in_those_words(
    tmp_path, organization, capsys
):
    factories.ensure_benefit_limits()
    path = write_csv(tmp_path / "stock.csv", HEADER, [STOCK])

    summary = run(path)

    assert summary["errors"] == []
    assert (summary["new"], summary["donors_created"]) == (1, 1)
    gift = Gift.objects.get()
    assert gift.method == GiftMethod.STOCK
    assert gift.amount == Decimal("5230.00")
    # The description is the record of the property; no shares or issuer are made up.
    assert gift.non_cash_description == "100 shares of Example Corp"
    assert (gift.stock_shares, gift.stock_issuer) == (None, "")

    # The receipt describes the stock in the donor's words, with no value.
    call_command("issue_receipts", "--out", str(tmp_path), "--json")
    (issued,) = json.loads(capsys.readouterr().out)
    receipt = Receipt.objects.get()
    assert receipt.non_cash_description == "100 shares of Example Corp"
    text = pdf_text((tmp_path / f"receipt-{receipt.number}.pdf").read_bytes())
    assert "Contribution (non-cash): 100 shares of Example Corp" in " ".join(text.split())
    assert " 0 shares" not in text and "5,230" not in text
    assert issued["gift_ids"] == [gift.pk]
    # The year-end statement describes it the same way.
    statements = tmp_path / "statements"
    statements.mkdir()
    call_command("year_end_statements", "--year", "2025", "--out", str(statements), "--json")
    (statement,) = json.loads(capsys.readouterr().out)
    text = pdf_text((statements / f"statement-{statement['number']}.pdf").read_bytes())
    assert "100 shares of Example Corp" in " ".join(text.split())
    assert " 0 shares" not in text

    # The same file again changes nothing.
    again = run(path)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_staff_can_still_edit_a_stock_gift_recorded_by_its_description(
    tmp_path, client, organization, staff
):
    run(write_csv(tmp_path / "stock.csv", HEADER, [STOCK]))
    gift = Gift.objects.get()
    client.force_login(staff)
    url = f"/admin/donors/gift/{gift.pk}/change/"
    data = form_data(client.get(url), "gift")
    data["notes"] = "Transferred from the donor's broker"

    assert client.post(url, data).status_code == 302
    gift.refresh_from_db()
    assert gift.notes == "Transferred from the donor's broker"
    assert gift.non_cash_description == "100 shares of Example Corp"


def test_the_stock_columns_stay_usable_and_a_description_without_shares_is_refused(
    tmp_path, organization
):
    header = [*HEADER, "stock_shares", "stock_issuer"]
    structured = write_csv(tmp_path / "structured.csv", header, [
        ["S-2", "sara@example.org", "Sara", "Ahmed", "2025-03-05", "900", "stock", "", "", "",
         "12.5", "Apple Inc."],
    ])  # fmt: skip
    assert run(structured)["new"] == 1
    gift = Gift.objects.get()
    assert (gift.stock_shares, gift.stock_issuer) == (Decimal("12.5"), "Apple Inc.")

    vague = write_csv(tmp_path / "vague.csv", HEADER, [
        ["S-3", "omar@example.org", "Omar", "Shah", "2025-03-06", "900", "stock",
         "Some Example Corp stock", "", ""],
    ])  # fmt: skip
    output = failing(vague)
    assert (
        "line 2, stock_shares: a stock gift needs the number of shares and the issuer: state "
        "them in non_cash_description (such as '100 shares of Example Corp'), or give "
        "stock_shares and stock_issuer" in output
    )
    assert Gift.objects.count() == 1


# --- A soft_credit_email that no donor has ------------------------------------------------


def _soft_rows(*emails):
    return [
        [f"G-{n}", "ali@example.org", "Ali", "Khan", "2025-04-01", f"{100 + n}", "cash", "",
         email, "solicitor"]
        for n, email in enumerate(emails, start=1)
    ]  # fmt: skip


def test_an_unknown_soft_credit_email_makes_a_new_donor_counted_and_named(
    tmp_path, organization, staff
):
    ali = factories.make_donor(first_name="Ali", last_name="Khan", email="ali@example.org")
    path = write_csv(
        tmp_path / "soft.csv",
        HEADER,
        _soft_rows("Hina.Malik@Example.org", "hina.malik@example.org", "omar@example.org"),
    )

    preview = run(path, "--dry-run")
    assert preview["errors"] == []
    assert preview["donors_created"] == 2
    assert preview["soft_credit_donors_created"] == [
        "hina.malik@example.org", "omar@example.org"
    ]  # fmt: skip
    assert not Donor.objects.exclude(pk=ali.pk).exists()  # a dry run creates nobody

    summary = run(path, "--user", "bob")

    assert (summary["new"], summary["donors_created"]) == (3, 2)
    assert summary["soft_credit_donors_created"] == ["hina.malik@example.org", "omar@example.org"]
    hina = Donor.objects.get(emails__email="hina.malik@example.org")
    assert hina.emails.get().is_primary
    run_record = ImportRun.objects.get()
    assert (hina.import_run, run_record.donors_created) == (run_record, 2)
    # Both of Hina's rows credit the one new donor; the gifts stay Ali's, his figures alone.
    credits = SoftCredit.objects.filter(donor=hina).order_by("gift__external_id")
    assert [(c.gift.external_id, c.kind, c.amount) for c in credits] == [
        ("G-1", "solicitor", Decimal("101.00")), ("G-2", "solicitor", Decimal("102.00"))
    ]  # fmt: skip
    assert set(Gift.objects.values_list("donor_id", flat=True)) == {ali.pk}
    hina.refresh_from_db()
    ali.refresh_from_db()
    assert (hina.lifetime_total, ali.lifetime_total) == (Decimal("0.00"), Decimal("306.00"))

    # Audited as the gifts are: who imported the donor and its email, from which run.
    (entry,) = LogEntry.objects.get_for_object(hina)
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)
    assert entry.additional_data == {"import_run": run_record.pk}
    assert entry.changes_dict["import_run"] == ["None", str(run_record.pk)]
    (email_entry,) = LogEntry.objects.get_for_object(DonorEmail.objects.get(donor=hina))
    assert email_entry.changes_dict["email"] == ["None", "hina.malik@example.org"]
    assert (email_entry.actor, email_entry.additional_data) == (
        staff, {"import_run": run_record.pk}
    )  # fmt: skip

    # Nothing new the second time.
    again = run(path)
    assert (again["unchanged"], again["donors_created"], again["soft_credit_donors_created"]) == (
        3, 0, []
    )  # fmt: skip
    assert SoftCredit.objects.count() == 3


def test_the_text_summary_names_the_donors_made_from_soft_credit_emails(tmp_path, organization):
    factories.make_donor(first_name="Ali", last_name="Khan", email="ali@example.org")
    path = write_csv(tmp_path / "soft.csv", HEADER, _soft_rows("hina@example.org"))

    assert (
        "New donor it would make from soft_credit_email (no donor has the email): "
        "hina@example.org." in text_run(path, "--dry-run")
    )
    output = text_run(path)
    assert (
        "soft.csv: imported 1 gift rows: 1 new, 0 updated, 0 unchanged, 0 skipped; "
        "1 new donors." in output
    )
    assert (
        "New donor made from soft_credit_email (no donor had the email): hina@example.org."
        in output
    )


def test_a_soft_credit_email_the_file_gives_a_new_donor_credits_that_donor(tmp_path, organization):
    rows = [
        ["G-1", "sara@example.org", "Sara", "Ahmed", "2025-04-01", "50", "cash", "", "", ""],
        ["G-2", "ali@example.org", "Ali", "Khan", "2025-04-02", "60", "cash", "",
         "sara@example.org", "solicitor"],
    ]  # fmt: skip
    summary = run(write_csv(tmp_path / "both.csv", HEADER, rows))

    assert (summary["donors_created"], summary["soft_credit_donors_created"]) == (2, [])
    sara = Donor.objects.get(emails__email="sara@example.org")
    assert sara.display_name == "Sara Ahmed"
    assert SoftCredit.objects.get().donor == sara


def test_a_rejected_row_makes_no_donor_from_its_soft_credit_email(tmp_path, organization):
    factories.make_donor(first_name="Ali", last_name="Khan", email="ali@example.org")
    rows = _soft_rows("hina@example.org", "omar@example.org")
    rows[1][4] = "2999-01-01"  # a future gift date: the row is refused
    path = write_csv(tmp_path / "soft.csv", HEADER, rows)

    summary = run(path, "--skip-errors")

    assert (summary["new"], summary["skipped"], summary["donors_created"]) == (1, 1, 1)
    assert summary["soft_credit_donors_created"] == ["hina@example.org"]
    assert not DonorEmail.objects.filter(email="omar@example.org").exists()


def test_the_gift_s_own_donor_as_its_soft_credit_is_still_refused(tmp_path, organization):
    rows = [["G-1", "new@example.org", "Nadia", "Raza", "2025-04-01", "50", "cash", "",
             "new@example.org", "solicitor"]]  # fmt: skip
    output = failing(write_csv(tmp_path / "self.csv", HEADER, rows))
    assert "line 2, soft_credit_email: the gift's own donor already has the hard credit" in output
    assert not Donor.objects.exists()


def test_new_soft_credit_donors_cost_no_query_per_row(tmp_path, organization, staff):
    factories.make_donor(first_name="Ali", last_name="Khan", email="ali@example.org")

    def queries(name, emails):
        path = write_csv(tmp_path / name, HEADER, _soft_rows(*emails))
        with CaptureQueriesContext(connection) as captured:
            run(path, "--user", "bob")
        sql = [q["sql"].lstrip().upper() for q in captured]
        return [q for q in sql if q.startswith("SELECT")], len(sql)

    few_reads, few = queries("few.csv", [f"few{n}@example.org" for n in range(2)])
    Gift.objects.all().delete()
    many_reads, many = queries("many.csv", [f"many{n}@example.org" for n in range(40)])
    # The same look-ups whatever the number of new donors; the writes are bulk (SQLite splits
    # a bulk insert into a few statements under its limit of parameters, not one per row).
    assert len(many_reads) == len(few_reads)
    assert many <= few + 4
    assert DonorEmail.objects.filter(email__startswith="many").count() == 40


# --- The admin's import page -------------------------------------------------------------


def test_the_admin_import_takes_both_and_names_the_new_soft_credit_donor(
    client, organization, staff
):
    factories.make_donor(first_name="Ali", last_name="Khan", email="ali@example.org")
    client.force_login(staff)
    content = csv_bytes(HEADER, [
        STOCK,
        ["G-1", "ali@example.org", "Ali", "Khan", "2025-04-01", "250", "cash", "",
         "hina@example.org", "match"],
    ])  # fmt: skip

    preview = upload(client, "gift", content)

    assert "confirm_form" in preview.context, preview.text
    assert "line 2: $5,230.00 from Ali Khan on 2025-03-04" in preview.text
    assert (
        "line 3: $250.00 from Ali Khan on 2025-04-01; soft credit to a new donor, "
        "hina@example.org" in preview.text
    )
    assert not Gift.objects.exists()

    done = confirm(client, "gift", preview)
    assert done.status_code == 302
    page = client.get(done["Location"]).text
    assert "Import finished: 2 new, 0 updated, 0 unchanged and 0 skipped gifts." in page
    assert (
        "1 new donor. New donor made from soft_credit_email (no donor had the email): "
        "hina@example.org." in page
    )
    stock = Gift.objects.get(method=GiftMethod.STOCK)
    assert stock.non_cash_description == "100 shares of Example Corp"
    hina = Donor.objects.get(emails__email="hina@example.org")
    assert SoftCredit.objects.get().donor == hina
    (entry,) = LogEntry.objects.get_for_object(hina)
    assert (entry.actor, entry.additional_data) == (
        staff, {"import_run": ImportRun.objects.get().pk}
    )  # fmt: skip


# --- The rules behind it (pure functions) ---------------------------------------------------


def test_the_gift_rules_take_a_stock_gift_described_with_its_shares():
    today = datetime.date(2025, 6, 1)
    described = Gift(method=GiftMethod.STOCK, amount=Decimal("10"), gift_date=today,
                     non_cash_description="100 shares of Example Corp")  # fmt: skip
    assert gift_problems(described, donor_kind=None, today=today) == {}
    half = Gift(method=GiftMethod.STOCK, amount=Decimal("10"), gift_date=today,
                non_cash_description="100 shares of Example Corp", stock_shares=Decimal("100"))  # fmt: skip
    assert gift_problems(half, donor_kind=None, today=today) == {
        "stock_issuer": "A stock gift needs the issuer (company or fund)."
    }
    assert receipt_rules.non_cash_description(
        method="stock", description=" 100 shares of Example Corp ", stock_shares=None,
        stock_issuer="",
    ) == "100 shares of Example Corp"  # fmt: skip
    assert receipt_rules.non_cash_description(
        method="stock", description="via Schwab", stock_shares=Decimal("12.5000"),
        stock_issuer="Apple Inc.",
    ) == "12.5 shares of Apple Inc. (via Schwab)"  # fmt: skip
