"""What a re-import finds again: the new emails and addresses a row gives a donor it matched,
and a gift imported once without its external_id and once with it (either order), through
the commands and through the admin."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from donors.imports.gifts import GiftDraft
from donors.models import Donor, Gift, ImportRun
from tests import factories
from tests.donors.import_files import csv_bytes, write_csv
from tests.donors.test_import_admin import confirm, upload

pytestmark = pytest.mark.django_db

GIFT_HEADER = ["external_id", "donor_email", "donor_first_name", "donor_last_name",
               "address_line1", "city", "state", "postal_code", "gift_date", "amount", "method",
               "check_number"]  # fmt: skip


def run(command, path, *args) -> dict:
    out = StringIO()
    call_command(command, str(path), "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def counts(summary) -> tuple[int, int, int]:
    return summary["new"], summary["updated"], summary["unchanged"]


@pytest.fixture
def ayesha(organization):
    return factories.make_donor(
        first_name="Ayesha",
        last_name="Siddiqui",
        email="ayesha@example.org",
        address={"line1": "9 Elm St", "city": "Fishers", "region": "IN", "postal_code": "46038"},
    )


def emails_of(donor) -> list[tuple[str, bool]]:
    return list(donor.emails.order_by("id").values_list("email", "is_primary"))


def addresses_of(donor) -> list[tuple[str, bool]]:
    return list(donor.addresses.order_by("id").values_list("line1", "is_primary"))


# --- A matched donor gains the row's new email and address -------------------------------------


def test_a_gift_row_adds_its_new_email_and_address_to_the_donor_it_matched(tmp_path, ayesha):
    path = write_csv(tmp_path / "gifts.csv", GIFT_HEADER, [
        # Matched by name and postal code: the email is new, the address the same one written
        # in other case and spacing.
        ["", "Ayesha.Work@Example.org", "ayesha", "SIDDIQUI", "9  elm st", "Fishers", "IN",
         "46038", "2025-01-05", "20", "cash", ""],
        # Matched by email: the address is new.
        ["", "ayesha@example.org", "Ayesha", "Siddiqui", "12 Oak Ave", "Carmel", "IN", "46032",
         "2025-01-06", "30", "cash", ""],
        # The same new email again: added once.
        ["", "ayesha.work@example.org", "", "", "", "", "", "", "2025-01-07", "40", "cash", ""],
    ])  # fmt: skip

    summary = run("import_donations", path)

    assert counts(summary) == (3, 0, 0)
    assert summary["donors_created"] == 0
    assert Donor.objects.count() == 1
    assert ayesha.gifts.count() == 3
    # Extra, never in place of the primary ones.
    assert emails_of(ayesha) == [("ayesha@example.org", True), ("ayesha.work@example.org", False)]
    assert addresses_of(ayesha) == [("9 Elm St", True), ("12 Oak Ave", False)]

    again = run("import_donations", path)
    assert counts(again) == (0, 0, 3)
    assert len(emails_of(ayesha)) == 2
    assert len(addresses_of(ayesha)) == 2


def test_a_reimported_gift_row_with_a_new_email_counts_as_updated(tmp_path, ayesha):
    row = ["", "ayesha@example.org", "Ayesha", "Siddiqui", "", "", "", "", "2025-01-05", "20",
           "cash", ""]  # fmt: skip
    run("import_donations", write_csv(tmp_path / "first.csv", GIFT_HEADER, [row]))
    # The same gift, now from a file that gives the donor's other email and matches her by
    # name and postal code.
    changed = ["", "a.siddiqui@example.net", "Ayesha", "Siddiqui", "9 Elm St", "Fishers", "IN",
               "46038", "2025-01-05", "20", "cash", ""]  # fmt: skip
    path = write_csv(tmp_path / "second.csv", GIFT_HEADER, [changed])

    dry = run("import_donations", path, "--dry-run")  # said before anything is written
    assert counts(dry) == (0, 1, 0)
    assert len(emails_of(ayesha)) == 1

    summary = run("import_donations", path)
    assert counts(summary) == (0, 1, 0)
    assert ayesha.gifts.count() == 1
    assert emails_of(ayesha)[1] == ("a.siddiqui@example.net", False)


def test_a_file_with_errors_adds_no_email_either(tmp_path, ayesha):
    path = write_csv(tmp_path / "gifts.csv", GIFT_HEADER, [
        ["", "new@example.org", "Ayesha", "Siddiqui", "9 Elm St", "Fishers", "IN", "46038",
         "2025-01-05", "20", "cash", ""],
        ["", "ayesha@example.org", "", "", "", "", "", "", "05/01/2025", "20", "cash", ""],
    ])  # fmt: skip
    with pytest.raises(CommandError):
        run("import_donations", path)
    assert emails_of(ayesha) == [("ayesha@example.org", True)]
    assert not Gift.objects.exists()


def test_the_donor_import_adds_every_new_email_and_address_once(tmp_path, ayesha):
    path = write_csv(
        tmp_path / "donors.csv",
        ["donor_email", "donor_first_name", "donor_last_name", "address_line1", "city", "state",
         "postal_code"],
        [
            ["home@example.org", "Ayesha", "Siddiqui", "9 ELM ST", "Fishers", "IN", "46038"],
            ["office@example.org", "Ayesha", "Siddiqui", "9 Elm St", "Fishers", "IN", "46038"],
            ["ayesha@example.org", "Ayesha", "Siddiqui", "1 Market Sq", "Carmel", "IN", "46032"],
        ],
    )  # fmt: skip

    summary = run("import_donors", path)

    assert counts(summary) == (0, 3, 0)
    assert emails_of(ayesha) == [
        ("ayesha@example.org", True), ("home@example.org", False), ("office@example.org", False)
    ]  # fmt: skip
    assert addresses_of(ayesha) == [("9 Elm St", True), ("1 Market Sq", False)]
    assert counts(run("import_donors", path)) == (0, 0, 3)


def test_the_admin_gift_import_previews_and_adds_the_new_email(client, staff, ayesha):
    client.force_login(staff)
    content = csv_bytes(GIFT_HEADER, [
        ["", "ayesha.work@example.org", "Ayesha", "Siddiqui", "9 Elm St", "Fishers", "IN",
         "46038", "2025-01-05", "20", "cash", ""],
    ])  # fmt: skip
    confirm(client, "gift", upload(client, "gift", content))
    assert emails_of(ayesha)[1] == ("ayesha.work@example.org", False)
    # Added in bulk, still audited: who, and from which import run.
    added = ayesha.emails.get(email="ayesha.work@example.org")
    entry = LogEntry.objects.get_for_object(added).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)
    assert entry.changes_dict["email"] == ["None", "ayesha.work@example.org"]
    assert entry.additional_data == {"import_run": ImportRun.objects.get().pk}

    # The same gift again, from a file that gives a third email: updated, not unchanged.
    preview = upload(client, "gift", csv_bytes(GIFT_HEADER, [
        ["", "third@example.org", "Ayesha", "Siddiqui", "9 Elm St", "Fishers", "IN", "46038",
         "2025-01-05", "20", "cash", ""],
    ]))  # fmt: skip
    assert "(unchanged)" not in preview.text
    done = confirm(client, "gift", preview)
    assert "Import finished: 0 new, 1 updated" in client.get(done["Location"]).text
    assert [e for e, _ in emails_of(ayesha)] == [
        "ayesha@example.org",
        "ayesha.work@example.org",
        "third@example.org",
    ]
    assert ayesha.gifts.count() == 1


# --- A gift imported without its external_id, then with it (and the reverse) -------------------


CHECK = ["", "ayesha@example.org", "Ayesha", "Siddiqui", "", "", "", "", "2025-02-01", "100",
         "check", "101"]  # fmt: skip


def with_id(row, external_id, check_number=None):
    row = list(row)
    row[0] = external_id
    if check_number is not None:
        row[-1] = check_number
    return row


def test_a_gift_imported_without_its_id_is_found_again_when_the_id_comes(tmp_path, ayesha):
    run("import_donations", write_csv(tmp_path / "no-ids.csv", GIFT_HEADER, [CHECK]))
    gift = Gift.objects.get()
    assert gift.external_id is None

    path = write_csv(tmp_path / "ids.csv", GIFT_HEADER, [with_id(CHECK, "CHK-101")])
    summary = run("import_donations", path)

    assert counts(summary) == (0, 1, 0)
    assert Gift.objects.get().pk == gift.pk
    assert Gift.objects.get().external_id == "CHK-101"
    assert counts(run("import_donations", path)) == (0, 0, 1)
    # The first file again (no ids): still that gift, its id kept.
    assert counts(run("import_donations", tmp_path / "no-ids.csv")) == (0, 0, 1)
    assert Gift.objects.get().external_id == "CHK-101"


def test_a_gift_imported_with_its_id_is_unchanged_by_the_same_row_without_it(tmp_path, ayesha):
    run("import_donations", write_csv(tmp_path / "ids.csv", GIFT_HEADER,
                                      [with_id(CHECK, "CHK-101")]))  # fmt: skip

    summary = run("import_donations", write_csv(tmp_path / "no-ids.csv", GIFT_HEADER, [CHECK]))

    assert counts(summary) == (0, 0, 1)
    assert Gift.objects.get().external_id == "CHK-101"
    assert counts(run("import_donations", tmp_path / "ids.csv")) == (0, 0, 1)
    assert Gift.objects.count() == 1


def test_two_checks_alike_but_for_their_number_stay_two_gifts(tmp_path, ayesha):
    # Imported first without ids: one check only (two alike would be refused without ids).
    run("import_donations", write_csv(tmp_path / "one.csv", GIFT_HEADER, [CHECK]))
    first = Gift.objects.get()
    # Then a file with ids and both checks, the other check first: the recorded gift is the
    # one with its check number, the other is new.
    both = write_csv(tmp_path / "both.csv", GIFT_HEADER, [
        with_id(CHECK, "CHK-102", "102"), with_id(CHECK, "CHK-101", "101"),
    ])  # fmt: skip
    summary = run("import_donations", both)

    assert counts(summary) == (1, 1, 0)
    assert Gift.objects.get(pk=first.pk).external_id == "CHK-101"
    assert Gift.objects.get(external_id="CHK-102").check_number == "102"
    assert counts(run("import_donations", both)) == (0, 0, 2)

    # Without ids but with their check numbers: each row is its own check.
    numbered = write_csv(tmp_path / "numbered.csv", GIFT_HEADER, [
        with_id(CHECK, "", "102"), with_id(CHECK, "", "101"),
    ])  # fmt: skip
    assert counts(run("import_donations", numbered)) == (0, 0, 2)
    assert Gift.objects.count() == 2


def test_a_row_that_could_be_either_of_two_recorded_gifts_is_an_error(tmp_path, ayesha):
    run("import_donations", write_csv(tmp_path / "both.csv", GIFT_HEADER, [
        with_id(CHECK, "CHK-101", "101"), with_id(CHECK, "CHK-102", "102"),
    ]))  # fmt: skip
    path = write_csv(tmp_path / "vague.csv", GIFT_HEADER, [with_id(CHECK, "", "")])

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_donations", str(path), stdout=StringIO(), stderr=err)
    assert ("line 2, external_id: same donor, date, amount and method as 2 gifts already "
            "imported (external_id CHK-101, CHK-102)") in err.getvalue()  # fmt: skip
    assert Gift.objects.count() == 2


def test_the_admin_fills_in_the_id_of_a_gift_imported_without_it(client, staff, ayesha):
    client.force_login(staff)
    confirm(client, "gift", upload(client, "gift", csv_bytes(GIFT_HEADER, [CHECK])))
    gift = Gift.objects.get()

    preview = upload(client, "gift", csv_bytes(GIFT_HEADER, [with_id(CHECK, "CHK-101")]))
    assert "(unchanged)" not in preview.text
    done = confirm(client, "gift", preview)

    assert "Import finished: 0 new, 1 updated" in client.get(done["Location"]).text
    assert list(Gift.objects.values_list("pk", "external_id", "amount")) == [
        (gift.pk, "CHK-101", Decimal("100.00"))
    ]
    # And the reverse: the row without its id is that gift, unchanged.
    preview = upload(client, "gift", csv_bytes(GIFT_HEADER, [CHECK]))
    assert preview.text.count("(unchanged)") == 1
    confirm(client, "gift", preview)
    assert Gift.objects.count() == 1


def test_a_rows_draft_gift_reads_every_gift_field_as_a_new_gift_does():
    """The gift rules run on the import's light drafts: a field added to Gift (and to the
    rules) must read there as on a new Gift, or every import would stop with an error."""
    draft, new = GiftDraft(), Gift()
    for field in Gift._meta.concrete_fields:
        if field.attname in ("id", "created_at", "updated_at"):
            continue
        assert getattr(draft, field.attname) == getattr(new, field.attname), field.attname
