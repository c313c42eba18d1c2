"""`manage.py import_donors`: new donors in bulk, found donors updated, re-imports idempotent."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from donors.models import Donor, DonorKind, ImportRun
from tests import factories
from tests.donors.import_files import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["donor_email", "donor_first_name", "donor_last_name", "donor_organization", "donor_kind",
          "address_line1", "city", "state", "postal_code", "country", "phone", "tags",
          "email_opt_in", "do_not_solicit", "anonymous"]  # fmt: skip


def run(path, *args) -> dict:
    out = StringIO()
    call_command("import_donors", str(path), "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def donors_file(tmp_path, organization):
    rows = [
        ["ayesha@example.org", "Ayesha", "Khan", "", "", "1 Main St", "Carmel", "in", "46032",
         "", "(317) 555-0100", "dinner; volunteer", "true", "false", "no"],
        ["", "", "", "Acme Foundation", "foundation", "5 Park Ave", "New York", "NY", "10022",
         "US", "", "", "", "", ""],
        ["omar@example.org", "Omar", "Shah", "", "", "10 Downing St", "London", "", "SW1A 2AA",
         "GB", "", "", "", "yes", "yes"],
    ]  # fmt: skip
    return write_csv(tmp_path / "donors.csv", HEADER, rows)


def test_import_creates_donors_with_contacts_tags_and_preferences(donors_file, staff):
    summary = run(donors_file, "--user", "bob")

    assert (summary["new"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    ayesha = Donor.objects.get(emails__email="ayesha@example.org")
    address = ayesha.addresses.get()
    assert (address.line1, address.region, address.postal_code, address.is_primary) == (
        "1 Main St",
        "IN",
        "46032",
        True,
    )
    assert str(ayesha.phone) == "+13175550100"
    assert sorted(ayesha.tags.values_list("name", flat=True)) == ["dinner", "volunteer"]
    assert ayesha.salutation == "Ayesha Khan"
    acme = Donor.objects.get(organization_name="Acme Foundation")
    assert (acme.kind, acme.display_name) == (DonorKind.FOUNDATION, "Acme Foundation")
    omar = Donor.objects.get(last_name="Shah")
    assert (omar.do_not_solicit, omar.anonymous) == (True, True)
    assert omar.addresses.get().country == "GB"
    assert ImportRun.objects.get().user == staff
    assert set(Donor.objects.values_list("import_run", flat=True)) == {ImportRun.objects.get().pk}


def test_reimporting_the_same_file_changes_nothing(donors_file):
    run(donors_file)
    summary = run(donors_file)
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 0, 3)
    assert Donor.objects.count() == 3


def test_a_found_donor_gains_what_the_row_adds_and_the_change_is_audited(tmp_path, organization):
    donor = factories.make_donor(first_name="Ayesha", last_name="Khan", email="ayesha@example.org")
    path = write_csv(
        tmp_path / "update.csv",
        ["donor_email", "donor_first_name", "donor_last_name", "address_line1", "city", "state",
         "postal_code", "email_opt_in", "tags"],
        [["Ayesha@Example.org", "Ayesha", "Khan", "1 Main St", "Carmel", "IN", "46032", "false",
          "major"]],
    )  # fmt: skip
    summary = run(path)
    assert (summary["new"], summary["updated"]) == (0, 1)
    donor.refresh_from_db()
    assert donor.email_opt_in is False
    assert donor.addresses.get().city == "Carmel"
    assert list(donor.tags.values_list("name", flat=True)) == ["major"]
    changes = [entry.changes_dict for entry in LogEntry.objects.get_for_object(donor)]
    assert {"email_opt_in": ["True", "False"]} in changes


def test_bad_rows_are_reported_and_nothing_is_imported(tmp_path, organization):
    path = write_csv(
        tmp_path / "bad.csv",
        ["donor_email", "donor_first_name", "donor_last_name", "state", "postal_code", "city",
         "address_line1", "phone", "anonymous"],
        [
            ["good@example.org", "Good", "Row", "", "", "", "", "", ""],
            ["not-an-email", "Bad", "Row", "XX", "4603", "Town", "1 St", "12", "maybe"],
        ],
    )  # fmt: skip
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_donors", str(path), stdout=StringIO(), stderr=err)
    output = err.getvalue()
    assert "line 3, donor_email: donor_email 'not-an-email' is not an email address" in output
    assert "line 3, state: state 'XX' is not a US state" in output
    assert "line 3, phone: phone '12' is not a phone number" in output
    assert "line 3, anonymous: anonymous 'maybe' is not true or false" in output
    assert not Donor.objects.exists()


def test_xlsx_donor_file(tmp_path, organization):
    path = write_xlsx(
        tmp_path / "donors.xlsx",
        ["donor_first_name", "donor_last_name", "postal_code", "city", "address_line1", "state"],
        [["Hina", "Rauf", 46204, "Indianapolis", "2 Meridian", "IN"]],
    )
    assert run(path)["new"] == 1
    assert Donor.objects.get().addresses.get().postal_code == "46204"
    assert run(path)["unchanged"] == 1
