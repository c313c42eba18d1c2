"""Gifts an import writes in bulk are audited like gifts saved one by one: one entry per gift
created or changed, by the user who ran the import, naming the import run, with what changed."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from donors.models import Donor, DonorAddress, DonorEmail, Gift, ImportRun, SoftCredit
from tests.donors.import_files import csv_bytes
from tests.donors.test_import_admin import confirm, upload

pytestmark = pytest.mark.django_db

HEADER = ["external_id", "donor_email", "donor_first_name", "donor_last_name", "gift_date",
          "amount", "method", "check_number", "notes", "soft_credit_email", "soft_credit_kind"]  # fmt: skip
FIRST = [
    ["A-1", "ali@example.org", "Ali", "Khan", "2025-01-05", "100", "check", "1001",
     'Said "thanks"', "", ""],
    ["", "sara@example.org", "Sara", "Ahmed", "2025-01-06", "1,250.00", "cash", "", "", "", ""],
    ["A-3", "sara@example.org", "Sara", "Ahmed", "2025-01-07", "40", "cash", "", "",
     "ali@example.org", "solicitor"],
]  # fmt: skip


def imported(client, rows) -> ImportRun:
    preview = upload(client, "gift", csv_bytes(HEADER, rows))
    assert "confirm_form" in preview.context, preview.text
    assert confirm(client, "gift", preview).status_code == 302
    return ImportRun.objects.latest("pk")


def entries_of(model, **lookup):
    return list(LogEntry.objects.get_for_object(model.objects.get(**lookup)))


def test_each_imported_gift_has_its_creation_entry_by_the_importing_user(
    client, staff, organization
):
    client.force_login(staff)
    run = imported(client, FIRST)

    gift_entries = LogEntry.objects.get_for_model(Gift)
    assert gift_entries.count() == Gift.objects.count() == 3
    for gift in Gift.objects.all():
        (entry,) = LogEntry.objects.get_for_object(gift)
        assert (entry.action, entry.actor, entry.object_repr) == (
            LogEntry.Action.CREATE, staff, str(gift)
        )  # fmt: skip
        assert entry.additional_data == {"import_run": run.pk}
        changes = entry.changes_dict
        assert changes["id"] == ["None", str(gift.pk)]
        assert changes["donor"] == ["None", str(gift.donor_id)]
        assert changes["gift_date"] == ["None", str(gift.gift_date)]
        assert changes["import_run"] == ["None", str(run.pk)]
        assert changes["status"] == ["None", "succeeded"]
    (check,) = entries_of(Gift, external_id="A-1")
    assert check.changes_dict["amount"] == ["None", "100.00"]
    assert check.changes_dict["check_number"] == ["None", "1001"]
    assert check.changes_dict["notes"] == ["None", 'Said "thanks"']
    assert check.object_repr == "$100.00 from Ali Khan on 2025-01-05"
    # A field with no value (NULL or empty text) carries no information: it is left out.
    (cash,) = entries_of(Gift, amount="1250.00")
    assert "notes" not in cash.changes_dict and "check_number" not in cash.changes_dict
    assert "stripe_payment_id" not in cash.changes_dict
    assert all(new not in ("", "None") for _, new in cash.changes_dict.values())
    # The soft credit the file gave is audited too.
    (credit,) = entries_of(SoftCredit, gift__external_id="A-3")
    assert (credit.action, credit.actor) == (LogEntry.Action.CREATE, staff)
    assert credit.changes_dict["kind"] == ["None", "solicitor"]
    assert credit.additional_data == {"import_run": run.pk}

    # The gift's audit page, as staff open it from the gift, shows the import's entry.
    page = client.get(f"/admin/donors/gift/{Gift.objects.get(external_id='A-1').pk}/auditlog/")
    assert page.status_code == 200
    assert "1001" in page.text


def test_a_gift_the_import_changes_shows_its_diff_and_unchanged_ones_get_no_entry(
    client, staff, administrator, organization
):
    client.force_login(staff)
    first = imported(client, FIRST)
    client.force_login(administrator)
    again = [row[:] for row in FIRST]
    again[0][5], again[0][7] = "120", "1002"  # amount and check number corrected
    second = imported(client, again)
    assert (second.new, second.updated, second.unchanged) == (0, 1, 2)

    changed = entries_of(Gift, external_id="A-1")
    assert len(changed) == 2
    latest = changed[0]  # newest first
    assert (latest.action, latest.actor) == (LogEntry.Action.UPDATE, administrator)
    assert latest.additional_data == {"import_run": second.pk}
    assert latest.changes_dict == {"amount": ["100.00", "120.00"], "check_number": ["1001", "1002"]}
    assert latest.object_repr == "$120.00 from Ali Khan on 2025-01-05"
    # The gifts the second file left as they were keep only their creation entry.
    for gift in Gift.objects.exclude(external_id="A-1"):
        (entry,) = LogEntry.objects.get_for_object(gift)
        assert entry.additional_data == {"import_run": first.pk}


def test_an_amount_the_import_corrects_reaches_the_gift_s_receipt(
    client, staff, organization, django_capture_on_commit_callbacks
):
    # lazy: compliance builds on donors; only this test looks across.
    from compliance.models import Receipt
    from compliance.services import receipt_issue

    client.force_login(staff)
    imported(client, FIRST)
    gift = Gift.objects.get(external_id="A-1")
    receipt = receipt_issue(gift=gift)
    again = [row[:] for row in FIRST]
    again[0][5] = "120"

    with django_capture_on_commit_callbacks(execute=True):
        imported(client, again)

    receipt.refresh_from_db()
    assert receipt.voided_at is not None
    corrected = Receipt.objects.get(replaces=receipt)
    assert corrected.amount == 120


DONOR_HEADER = ["donor_email", "donor_first_name", "donor_last_name", "address_line1", "city",
                "state", "postal_code", "email_opt_in", "country"]  # fmt: skip


def test_each_donor_a_donor_import_creates_has_its_entries_with_its_email_and_address(
    client, staff, organization
):
    client.force_login(staff)
    rows = [
        ["hina@example.org", "Hina", "Rauf", "1 Main St", "Fishers", "IN", "46037", "true", ""],
        ["", "Omar", "Shah", "", "", "", "", "false", ""],
        [
            "zain@example.ca",
            "Zain",
            "O'Neil",
            "5 King's Rd",
            "Toronto",
            "ON",
            "M5V 2T6",
            "true",
            "CA",
        ],
    ]
    preview = upload(client, "donor", csv_bytes(DONOR_HEADER, rows))
    assert confirm(client, "donor", preview).status_code == 302
    run = ImportRun.objects.latest("pk")

    hina = Donor.objects.get(emails__email="hina@example.org")
    omar = Donor.objects.get(first_name="Omar")
    for donor in (hina, omar):
        (entry,) = entries_of(Donor, pk=donor.pk)
        assert (entry.action, entry.actor, entry.object_repr) == (
            LogEntry.Action.CREATE, staff, donor.display_name
        )  # fmt: skip
        assert entry.additional_data == {"import_run": run.pk}
        assert entry.changes_dict["last_name"] == ["None", donor.last_name]
    assert entries_of(Donor, pk=hina.pk)[0].changes_dict["email_opt_in"] == ["None", "True"]
    assert entries_of(Donor, pk=omar.pk)[0].changes_dict["email_opt_in"] == ["None", "False"]
    (email,) = entries_of(DonorEmail, email="hina@example.org")
    assert (email.actor, email.object_repr) == (staff, "hina@example.org")
    assert email.changes_dict["donor"] == ["None", str(hina.pk)]
    (address,) = entries_of(DonorAddress, donor=hina)
    assert address.changes_dict["line1"] == ["None", "1 Main St"]
    assert address.additional_data == {"import_run": run.pk}
    # Every entry is labelled as the record would label itself (on PostgreSQL the database
    # writes the labels: a Canadian address names its country, apostrophes and all).
    for model in (Donor, DonorEmail, DonorAddress):
        for record in model.objects.all():
            (entry,) = LogEntry.objects.get_for_object(record)
            assert entry.object_repr == str(record)
    (toronto,) = entries_of(DonorAddress, city="Toronto")
    assert toronto.object_repr == "5 King's Rd, Toronto, ON M5V 2T6, Canada"
    # The donor's own history page shows them.
    page = client.get(f"/admin/donors/donor/{hina.pk}/auditlog/")
    assert page.status_code == 200 and "hina@example.org" in page.text
