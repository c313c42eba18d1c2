"""python manage.py annual_summary: totals, Schedule B and public support, as JSON, CSV, PDF."""

import csv
import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from compliance.models import FilingProfile
from donors.models import GiftMethod, GiftStatus
from tests import factories
from tests.compliance.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _summary(*args, capsys):
    call_command("annual_summary", *args)
    return capsys.readouterr().out


@pytest.fixture
def books(organization):
    day = datetime.date
    gala = factories.make_campaign(name="Gala 2025")
    big = factories.make_donor(
        first_name="Ayesha",
        last_name="Khan",
        email="ayesha@example.org",
        address={"line1": "1 Elm St", "city": "Carmel", "region": "IN", "postal_code": "46032"},
    )
    small = factories.make_donor(
        first_name="Omar",
        last_name="Ali",
        email="omar@example.org",
        address={"line1": "2 Oak St", "city": "Fresno", "region": "CA", "postal_code": "93650"},
    )
    factories.make_gift(donor=big, amount=D("4000.00"), gift_date=day(2025, 1, 15))
    factories.make_gift(
        donor=big,
        amount=D("1100.00"),
        gift_date=day(2025, 5, 3),
        benefit_value=D("100.00"),
        benefit_description="dinner",
        campaign=gala,
        method=GiftMethod.CARD,
    )
    factories.make_gift(donor=small, amount=D("0.10"), gift_date=day(2025, 5, 4))
    factories.make_gift(donor=small, amount=D("0.20"), gift_date=day(2025, 5, 5))
    factories.make_gift(
        donor=small,
        amount=D("500.00"),
        gift_date=day(2025, 6, 1),
        status=GiftStatus.PARTIALLY_REFUNDED,
        amount_refunded=D("200.00"),
    )
    factories.make_gift(
        donor=small,
        amount=D("900.00"),
        gift_date=day(2025, 7, 1),
        status=GiftStatus.REFUNDED,
        amount_refunded=D("900.00"),
    )
    factories.make_gift(donor=small, amount=D("50.00"), gift_date=day(2024, 12, 31))
    return big, small


def test_json_totals_are_exact_and_leave_refunds_out(books, capsys):
    summary = json.loads(_summary("--year", "2025", capsys=capsys))
    assert summary["year"] == 2025
    # 4000 + 1100 + 0.10 + 0.20 + (500 - 200); the refunded 900 and the 2024 gift left out.
    assert summary["total_received"] == "5400.30"
    assert summary["total_deductible"] == "5300.30"  # the $100 dinner is not deductible
    assert summary["by_method"] == {"card": "1100.00", "check": "4300.30"}
    assert summary["by_campaign"] == {"(no campaign)": "4300.30", "Gala 2025": "1100.00"}
    assert summary["by_month"]["2025-05"] == "1100.30"
    assert summary["by_month"]["2025-12"] == "0.00"
    assert summary["by_state"] == {"CA": "300.30", "IN": "5100.00"}


def test_schedule_b_general_rule_lists_deductible_totals_of_5000_or_more(books, capsys):
    summary = json.loads(_summary("--year", "2025", capsys=capsys))
    assert summary["schedule_b"] == [
        {
            "number": 1,
            "name": "Ayesha Khan",
            "email": "ayesha@example.org",
            "address": "1 Elm St, Carmel, IN 46032",
            "postal_code": "46032",
            "total": "5000.00",  # 4,000 + (1,100 less the $100 dinner)
            "person": True,
            "payroll": False,
            "noncash": False,
        }
    ]
    assert summary["schedule_b_noncash"] == []
    assert summary["schedule_b_rule"] == "general $5,000 rule"


def test_schedule_b_special_rule_takes_two_percent_of_the_years_contributions(books, capsys):
    FilingProfile.objects.update_or_create(pk=1, defaults={"schedule_b_special_rule": True})
    # Line 1h is 2025's contributions, 5,300.30: 2% is 106.01, so $5,000 stays the threshold.
    summary = json.loads(_summary("--year", "2025", capsys=capsys))
    assert summary["contributions_line_1h"] == "5300.30"
    assert [e["name"] for e in summary["schedule_b"]] == ["Ayesha Khan"]
    # A large gift in another year changes nothing: the rule reads the year's line 1h only.
    earlier = factories.make_donor(first_name="Earlier", last_name="Whale")
    factories.make_gift(donor=earlier, amount=D("300000.00"), gift_date=datetime.date(2023, 1, 1))
    summary = json.loads(_summary("--year", "2025", capsys=capsys))
    assert [e["name"] for e in summary["schedule_b"]] == ["Ayesha Khan"]
    assert summary["schedule_b_threshold"] == "5000.00"
    whale = factories.make_donor(first_name="Zara", last_name="Whale")
    factories.make_gift(donor=whale, amount=D("300000.00"), gift_date=datetime.date(2025, 2, 1))
    # Now 2% of 305,300.30 is 6,106.006, 6,106.01: Ayesha's 5,000 no longer reaches it.
    summary = json.loads(_summary("--year", "2025", capsys=capsys))
    assert [e["name"] for e in summary["schedule_b"]] == ["Zara Whale"]
    assert summary["schedule_b_threshold"] == "6106.01"


def test_public_support_caps_each_donor_at_two_percent(books, capsys):
    whale = factories.make_donor()
    factories.make_gift(donor=whale, amount=D("100000.00"), gift_date=datetime.date(2022, 3, 1))
    factories.make_gift(donor=whale, amount=D("1.00"), gift_date=datetime.date(2020, 12, 31))
    support = json.loads(_summary("--year", "2025", capsys=capsys))["public_support"]
    # 2021-2025 contributions: 100,000 + 5,300.30 (the $100 dinner is not a gift) + 50
    # = 105,350.30; 2% = 2,107.006, so 2,107.01.
    assert support["years"] == [2021, 2025]
    assert support["total_support"] == "105350.30"
    assert support["donor_cap"] == "2107.01"
    # Whale and Ayesha capped at 2,107.01 each; Omar's 350.30 (with 2024's 50) in full.
    assert support["public_support"] == "4564.32"
    assert support["line_5"] == "100785.98"  # (100,000 - 2,107.01) + (5,000 - 2,107.01)


def test_csv_has_every_section_and_escapes_formulas(books, capsys):
    donor = factories.make_donor(first_name="=HYPERLINK(1)", last_name="X")
    factories.make_gift(donor=donor, amount=D("6000.00"), gift_date=datetime.date(2025, 2, 2))
    rows = list(
        csv.reader(io.StringIO(_summary("--year", "2025", "--format", "csv", capsys=capsys)))
    )
    assert rows[0] == ["section", "key", "value"]
    assert ["summary", "total_received", "11400.30"] in rows
    sections = {row[0] for row in rows[1:]}
    assert {
        "by_month",
        "by_method",
        "by_campaign",
        "by_fund",
        "by_state",
        "schedule_b_part_i",
        "schedule_b_part_ii",
        "public_support",
        "schedule_a_part_ii",
    } <= sections
    names = [row[2] for row in rows if row[0] == "schedule_b_part_i"]
    assert any(name.startswith("'=HYPERLINK") for name in names)


def test_pdf_for_the_treasurer(books, tmp_path, capsys):
    path = tmp_path / "summary.pdf"
    _summary("--year", "2025", "--format", "pdf", "--out", str(path), capsys=capsys)
    text = pdf_text(path.read_bytes())
    for expected in [
        "Annual summary 2025",
        "$5,400.30",
        "$5,300.30",
        "Ayesha Khan",
        "Public support 2021-2025",
        "By donor state",
    ]:
        assert expected in text, expected


def test_sums_of_many_cents_are_exact(organization, capsys):
    donor = factories.make_donor()
    for _ in range(30):
        factories.make_gift(donor=donor, amount=D("0.10"), gift_date=datetime.date(2025, 3, 3))
    summary = json.loads(_summary("--year", "2025", capsys=capsys))
    assert summary["total_received"] == "3.00"


def test_staff_choose_the_special_rule_in_the_filing_profile(client, staff, organization):
    client.force_login(staff)
    url = reverse("admin:compliance_filingprofile_change", args=[1])
    response = client.post(url, {"schedule_b_special_rule": "on"})
    assert response.status_code == 302
    assert FilingProfile.current().schedule_b_special_rule


def test_the_annual_summary_page_and_its_downloads(client, board, books):
    client.force_login(board)
    url = reverse("admin:compliance_annual_summary", args=[1])
    page = client.get(url, {"year": "2025"}).content.decode()
    assert "$5,400.30" in page and "Ayesha Khan" in page and "Public support 2021" in page
    # Schedule B's Part I and Schedule A Part II as the forms lay them out.
    assert "(b) Name, address, and ZIP + 4" in page and "1 Elm St, Carmel, IN 46032" in page
    assert "16a 33 1/3% support test, this year" in page
    assert "5,350.30" in page  # line 1 (f): 2024's 50 and 2025's 5,300.30 of contributions
    as_json = client.get(url, {"year": "2025", "format": "json"})
    assert json.loads(as_json.content)["total_deductible"] == "5300.30"
    as_pdf = client.get(url, {"year": "2025", "format": "pdf"})
    assert "Annual summary 2025" in pdf_text(as_pdf.content)
    as_csv = client.get(url, {"year": "2025", "format": "csv"}).content.decode()
    assert "summary,total_received,5400.30" in as_csv
    bad = client.get(url, {"year": "20x5", "format": "pdf"})
    assert bad.status_code == 200 and "is not a year" in bad.content.decode()


def test_organizers_cannot_see_the_annual_summary(client, organizer, organization):
    client.force_login(organizer)
    url = reverse("admin:compliance_annual_summary", args=[1])
    assert client.get(url).status_code == 403
