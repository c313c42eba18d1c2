"""The admin's import (django-import-export's upload, preview and confirm) for gifts and donors:
the same engine and messages as the commands, for Staff only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from donors.models import Donor, Gift, ImportRun
from tests.donors.import_files import csv_bytes

pytestmark = pytest.mark.django_db

CSV_FORMAT = "0"  # the first of the admin's formats: CSV, then XLSX


def upload(client, model, content: bytes, name="gifts.csv"):
    return client.post(
        f"/admin/donors/{model}/import/",
        {"format": CSV_FORMAT, "import_file": SimpleUploadedFile(name, content, "text/csv")},
    )


def confirm(client, model, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(f"/admin/donors/{model}/process_import/", data)


GIFTS = csv_bytes(
    ["external_id", "donor_email", "donor_first_name", "donor_last_name", "gift_date", "amount",
     "method"],
    [["A-1", "ali@example.org", "Ali", "Khan", "2025-01-05", "100", "check"],
     ["", "sara@example.org", "Sara", "Ahmed", "2025-01-06", "1,250.00", "cash"]],
)  # fmt: skip


def test_staff_preview_then_confirm_creates_the_gifts(client, staff, organization):
    client.force_login(staff)
    preview = upload(client, "gift", GIFTS)

    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert "line 2: $100.00 from Ali Khan on 2025-01-05" in preview.text
    assert not Gift.objects.exists()  # the preview writes nothing

    done = confirm(client, "gift", preview)
    assert done.status_code == 302
    assert sorted(Gift.objects.values_list("amount", flat=True)) == [
        Decimal("100.00"),
        Decimal("1250.00"),
    ]
    record = ImportRun.objects.get()
    assert (record.user, record.source, record.file_name) == (staff, "admin", "gifts.csv")
    page = client.get(done["Location"])
    assert "Import finished: 2 new, 0 updated, 0 unchanged and 0 skipped gifts." in page.text
    run_url = reverse("admin:donors_importrun_change", args=[record.pk])
    assert f'<a href="{run_url}">The import run</a>' in page.text


def test_the_preview_shows_row_errors_and_offers_no_confirm(client, staff, organization):
    client.force_login(staff)
    bad = csv_bytes(
        ["donor_email", "donor_last_name", "gift_date", "amount", "method"],
        [["ali@example.org", "Khan", "05/01/2025", "1,2O0", "check"]],
    )
    preview = upload(client, "gift", bad)

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert "gift_date 05/01/2025 could be May 1 or January 5: use YYYY-MM-DD" in preview.text
    assert "amount &#x27;1,2O0&#x27; is not a number" in preview.text
    assert not Gift.objects.exists()


def test_an_unknown_column_is_shown_on_the_header_line(client, staff, organization):
    client.force_login(staff)
    preview = upload(
        client,
        "gift",
        csv_bytes(
            ["donor_email", "gift_date", "amount", "method", "tip"],
            [["a@example.org", "2025-01-01", "5", "cash", "1"]],
        ),
    )
    assert "unknown column &#x27;tip&#x27;" in preview.text
    assert "confirm_form" not in preview.context


def test_reimporting_through_the_admin_changes_nothing(client, staff, organization):
    client.force_login(staff)
    confirm(client, "gift", upload(client, "gift", GIFTS))
    preview = upload(client, "gift", GIFTS)
    assert preview.text.count("(unchanged)") == 2
    confirm(client, "gift", preview)
    assert Gift.objects.count() == 2
    assert Donor.objects.count() == 2


def test_donor_import_through_the_admin(client, staff, organization):
    client.force_login(staff)
    content = csv_bytes(
        ["donor_email", "donor_first_name", "donor_last_name", "tags"],
        [["hina@example.org", "Hina", "Rauf", "volunteer"]],
    )
    preview = upload(client, "donor", content, name="donors.csv")
    assert "line 2: Hina Rauf" in preview.text
    confirm(client, "donor", preview)
    donor = Donor.objects.get()
    assert list(donor.tags.values_list("name", flat=True)) == ["volunteer"]


def test_only_staff_and_administrators_may_import(client, board, organizer, organization):
    for user in (board, organizer):
        client.force_login(user)
        assert upload(client, "gift", GIFTS).status_code == 403
        assert client.post("/admin/donors/gift/process_import/", {}).status_code == 403
        assert client.get("/admin/donors/donor/import/").status_code == 403
    assert not Gift.objects.exists()


def test_confirming_after_the_data_changed_reports_the_problem_and_imports_nothing(
    client, staff, organization
):
    import datetime

    from donors import services
    from donors.models import Pledge
    from tests import factories

    donor = factories.make_donor(email="p@example.org")
    pledge = services.pledge_create(
        donor=donor, amount=Decimal("100"), pledge_date=datetime.date(2025, 1, 1), external_id="P-1"
    )
    content = csv_bytes(
        ["donor_email", "gift_date", "amount", "method", "pledge_id"],
        [["p@example.org", "2025-02-01", "80", "cash", "P-1"]],
    )
    client.force_login(staff)
    preview = upload(client, "gift", content)
    assert "confirm_form" in preview.context
    factories.make_gift(donor=donor, amount=Decimal("50"), pledge=pledge)  # paid meanwhile
    done = confirm(client, "gift", preview)
    page = client.get(done["Location"])
    assert "more than pledge &#x27;P-1&#x27; has left to pay ($50.00)" in page.text
    assert "Nothing was imported." in page.text
    assert Gift.objects.count() == 1
    assert Pledge.objects.get().status == "open"


def test_the_donor_list_links_to_the_import_and_the_duplicates_pages(client, staff, board):
    client.force_login(staff)
    text = client.get("/admin/donors/donor/").text
    assert "href='/admin/donors/donor/import/'" in text
    assert 'href="/admin/donors/donor/duplicates/"' in text
    client.force_login(board)
    text = client.get("/admin/donors/donor/").text
    assert "/admin/donors/donor/import/" not in text
    assert "/admin/donors/donor/duplicates/" not in text


def test_skipping_bad_rows_in_the_admin_imports_the_good_ones_and_keeps_the_bad(
    client, staff, organization
):
    content = csv_bytes(
        ["donor_email", "donor_last_name", "gift_date", "amount", "method"],
        [["a@example.org", "Khan", "2025-01-05", "100", "cash"],
         ["b@example.org", "Shah", "2025-01-05", "=1+1", "cash"]],
    )  # fmt: skip
    client.force_login(staff)
    preview = client.post(
        "/admin/donors/gift/import/",
        {"format": CSV_FORMAT, "skip_errors": "on",
         "import_file": SimpleUploadedFile("mixed.csv", content, "text/csv")},
    )  # fmt: skip
    assert "line 3: not imported: amount &#x27;=1+1&#x27; is not a number" in preview.text
    confirm(client, "gift", preview)

    assert list(Gift.objects.values_list("amount", flat=True)) == [Decimal("100.00")]
    record = ImportRun.objects.get()
    assert (record.new, record.skipped) == (1, 1)
    page = client.get(f"/admin/donors/importrun/{record.pk}/change/")
    assert "1 rows, with their errors (CSV)" in page.text
    rejected = client.get(f"/admin/donors/importrun/{record.pk}/rejected.csv")
    assert rejected.status_code == 200
    assert rejected.content.decode().splitlines() == [
        "donor_email,donor_last_name,gift_date,amount,method,error",
        "b@example.org,Shah,2025-01-05,'=1+1,cash,\"line 3, amount '=1+1' is not a number\"",
    ]


def test_an_xlsx_upload_previews_and_imports_like_a_csv(client, staff, organization, tmp_path):
    import datetime

    from tests.donors.import_files import write_xlsx

    path = write_xlsx(
        tmp_path / "gifts.xlsx",
        ["donor_email", "donor_last_name", "gift_date", "amount", "method", "check_number"],
        [["a@example.org", "Khan", datetime.date(2025, 4, 1), 250.5, "check", 1001]],
    )
    client.force_login(staff)
    preview = client.post(
        "/admin/donors/gift/import/",
        {"format": "1", "import_file": SimpleUploadedFile("gifts.xlsx", path.read_bytes())},
    )
    assert "line 2: $250.50 from Khan on 2025-04-01" in preview.text
    confirm(client, "gift", preview)
    gift = Gift.objects.get()
    assert (gift.amount, gift.check_number) == (Decimal("250.50"), "1001")
