"""Form 990 Schedule B and Schedule A Part II, as `annual_summary` prints them (JSON, CSV, PDF),
with the flags staff set in the back office. Every figure is worked out by hand below."""

import csv
import datetime
import io
import json
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from compliance.models import FilingProfile
from donors import services
from donors.models import Donor, DonorKind, Gift, GiftMethod
from tests import factories
from tests.compliance.helpers import pdf_text
from tests.donors.admin_forms import form_data

pytestmark = pytest.mark.django_db

day = datetime.date


@pytest.fixture(autouse=True)
def _limits(db):
    factories.ensure_benefit_limits()


def _run(*args, capsys) -> str:
    call_command("annual_summary", "--year", "2025", *args)
    return capsys.readouterr().out


def _json(capsys) -> dict:
    return json.loads(_run(capsys=capsys))


def _special_rule(on: bool = True) -> None:
    FilingProfile.objects.update_or_create(pk=1, defaults={"schedule_b_special_rule": on})


@pytest.fixture
def contributors(organization):
    """2025's contributors. Contributions (Form 990 Part VIII line 1h):
    Zara 300,000 + Ayesha 4,000 cash and 3,000 stock + Acme 6,500 + Bilal 4,999.99
    + Dina's 7,000 less her 1,000 dinner = 324,499.99."""
    zara = factories.make_donor(first_name="Zara", last_name="Malik", email="zara@example.org")
    ayesha = factories.make_donor(
        first_name="Ayesha",
        last_name="Khan",
        email="ayesha@example.org",
        address={"line1": "1 Elm St", "city": "Carmel", "region": "IN", "postal_code": "46032"},
    )
    acme = factories.make_donor(
        kind=DonorKind.COMPANY,
        organization_name="Acme Builders",
        address={"line1": "9 Main St", "city": "Fresno", "region": "CA", "postal_code": "93650"},
    )
    bilal = factories.make_donor(first_name="Bilal", last_name="Shah")
    dina = factories.make_donor(first_name="Dina", last_name="Rao")
    factories.make_gift(donor=zara, amount=D("300000.00"), gift_date=day(2025, 1, 10))
    factories.make_gift(donor=ayesha, amount=D("4000.00"), gift_date=day(2025, 2, 1))
    factories.make_gift(
        donor=ayesha,
        amount=D("3000.00"),
        method=GiftMethod.STOCK,
        stock_shares=D("100"),
        stock_issuer="Acme Corp",
        non_cash_description="100 shares of Acme Corp (ACME), held since 2019",
        gift_date=day(2025, 3, 2),
        date_received=day(2025, 3, 4),
    )
    factories.make_gift(donor=acme, amount=D("6500.00"), method=GiftMethod.WIRE,
                        gift_date=day(2025, 4, 1))  # fmt: skip
    factories.make_gift(donor=bilal, amount=D("4999.99"), gift_date=day(2025, 5, 1))
    factories.make_gift(
        donor=dina,
        amount=D("7000.00"),
        benefit_value=D("1000.00"),
        benefit_description="dinner",
        gift_date=day(2025, 6, 1),
    )
    return zara, ayesha, acme, bilal, dina


def test_general_rule_lists_5000_or_more_with_part_i_columns_and_part_ii(contributors, capsys):
    summary = _json(capsys)
    assert summary["contributions_line_1h"] == "324499.99"
    assert summary["schedule_b_threshold"] == "5000.00"
    part_i = summary["schedule_b"]
    # Bilal's 4,999.99 is a cent short; Dina's 7,000 counts 6,000 (less the dinner).
    assert [(e["number"], e["name"], e["total"]) for e in part_i] == [
        (1, "Zara Malik", "300000.00"),
        (2, "Ayesha Khan", "7000.00"),
        (3, "Acme Builders", "6500.00"),
        (4, "Dina Rao", "6000.00"),
    ]
    ayesha = part_i[1]
    assert ayesha["email"] == "ayesha@example.org"
    assert (ayesha["address"], ayesha["postal_code"]) == ("1 Elm St, Carmel, IN 46032", "46032")
    assert (ayesha["person"], ayesha["payroll"], ayesha["noncash"]) == (True, False, True)
    assert (part_i[2]["person"], part_i[2]["noncash"]) == (True, False)
    assert summary["schedule_b_noncash"] == [
        {
            "number": 2,
            "name": "Ayesha Khan",
            "description": "100 shares of Acme Corp (ACME), held since 2019",
            "fair_market_value": "3000.00",
            "date_received": "2025-03-04",
        }
    ]


def test_special_rule_when_two_percent_of_contributions_exceeds_5000(contributors, capsys):
    _special_rule()
    summary = _json(capsys)
    # 2% of 324,499.99 is 6,489.9998: contributors of 6,490.00 or more.
    assert summary["schedule_b_threshold"] == "6490.00"
    assert summary["schedule_b_rule"] == "special 2% rule"
    assert [(e["number"], e["name"]) for e in summary["schedule_b"]] == [
        (1, "Zara Malik"),
        (2, "Ayesha Khan"),
        (3, "Acme Builders"),
    ]
    # Every donor here is held to the 2% cap (6,490.00): public support is 3 x 6,490 + Bilal's
    # 4,999.99 + Dina's 6,000 = 30,469.99 of 324,499.99, 9.39%: the 33 1/3% test is not met,
    # and the summary says so beside the rule staff chose.
    assert summary["public_support"]["line_6"] == "30469.99"
    assert summary["public_support"]["line_14"] == "9.39"
    assert summary["schedule_b_special_rule_qualifies"] is False


def test_special_rule_lists_the_general_rules_contributors_when_2_percent_is_below_5000(
    contributors, capsys
):
    moved = Gift.objects.get(donor=contributors[0])
    moved.gift_date = day(2023, 1, 10)
    services.gift_save(gift=moved)
    general = _json(capsys)["schedule_b"]
    _special_rule()
    summary = _json(capsys)
    # Line 1h is now 24,499.99 (Zara's 300,000 is 2023's): 2% is 490.00, so $5,000.
    assert summary["contributions_line_1h"] == "24499.99"
    assert summary["schedule_b_threshold"] == "5000.00"
    assert summary["schedule_b"] == general
    assert [e["name"] for e in general] == ["Ayesha Khan", "Acme Builders", "Dina Rao"]


def test_csv_and_pdf_print_part_i_and_part_ii_as_the_form(contributors, capsys, tmp_path):
    rows = list(csv.reader(io.StringIO(_run("--format", "csv", capsys=capsys))))
    part_i = [row[1:] for row in rows if row[0] == "schedule_b_part_i"]
    assert part_i[0] == ["(a) No.", "(b) Name, address, and ZIP + 4", "(c) Total contributions",
                         "(d) Type of contribution"]  # fmt: skip
    assert part_i[2] == ["2", "Ayesha Khan, 1 Elm St, Carmel, IN 46032", "7000.00",
                         "Person, Noncash"]  # fmt: skip
    assert part_i[3] == ["3", "Acme Builders, 9 Main St, Fresno, CA 93650", "6500.00", "Person"]
    part_ii = [row[1:] for row in rows if row[0] == "schedule_b_part_ii"]
    assert part_ii == [
        ["(a) No. from Part I", "(b) Description of noncash property given",
         "(c) FMV (or estimate)", "(d) Date received"],
        ["2", "100 shares of Acme Corp (ACME), held since 2019", "3000.00", "2025-03-04"],
    ]  # fmt: skip
    path = tmp_path / "summary.pdf"
    _run("--format", "pdf", "--out", str(path), capsys=capsys)
    text = pdf_text(path.read_bytes())
    for expected in [
        "Schedule B (Form 990)",
        "Part VIII line 1h",
        "$324,499.99",
        "Part I",
        "(b) Name, address, and ZIP + 4",
        "1 Elm St, Carmel, IN 46032",
        "$300,000.00",
        "Person, Noncash",
        "Part II",
        "100 shares of Acme Corp (ACME), held since 2019",
        "$3,000.00",
        "2025-03-04",
    ]:
        assert expected in text, expected


# Public support ---------------------------------------------------------------------------


@pytest.fixture
def supporters(organization):
    """Gifts of 2021-2025, each donor a kind Schedule A Part II treats its own way."""
    make, gift = factories.make_donor, factories.make_gift
    person = make(first_name="Parveen", last_name="Iqbal")
    gift(donor=person, amount=D("10000.00"), gift_date=day(2021, 6, 1))
    gift(donor=person, amount=D("2000.00"), gift_date=day(2025, 6, 1))
    private = make(kind=DonorKind.FOUNDATION, organization_name="Iqbal Family Foundation")
    gift(donor=private, amount=D("20000.00"), method=GiftMethod.WIRE, gift_date=day(2023, 6, 1))
    community = make(kind=DonorKind.FOUNDATION, organization_name="Indiana Community Foundation")
    gift(donor=community, amount=D("30000.00"), method=GiftMethod.WIRE, gift_date=day(2024, 6, 1))
    city = make(kind=DonorKind.GOVERNMENT, organization_name="City of Fremont")
    gift(donor=city, amount=D("25000.00"), method=GiftMethod.WIRE, gift_date=day(2022, 6, 1))
    fund = make(kind=DonorKind.DAF_SPONSOR, organization_name="Fidelity Charitable")
    gift(donor=fund, amount=D("8000.00"), method=GiftMethod.DAF_GRANT, gift_date=day(2025, 2, 1))
    earmarked = gift(donor=fund, amount=D("5000.00"), method=GiftMethod.DAF_GRANT,
                     gift_date=day(2025, 3, 1))  # fmt: skip
    platform = make(kind=DonorKind.PLATFORM, organization_name="GlobalGiving Foundation")
    gift(donor=platform, amount=D("4000.00"), method=GiftMethod.GLOBALGIVING,
         gift_date=day(2024, 9, 1))  # fmt: skip
    company = make(kind=DonorKind.COMPANY, organization_name="Windfall Inc")
    unusual = gift(donor=company, amount=D("50000.00"), method=GiftMethod.WIRE,
                   gift_date=day(2025, 7, 1))  # fmt: skip
    gift(donor=make(), amount=D("1000.00"), gift_date=day(2023, 2, 1))
    return community, earmarked, unusual


def _admin_flag(client, url: str, model_name: str, **values) -> None:
    data = form_data(client.get(url), model_name)
    data.update(values)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_public_support_by_schedule_a_lines_with_the_flags_staff_set(
    client, staff, supporters, capsys
):
    community, earmarked, unusual = supporters
    before = _json(capsys)["public_support"]
    # With no flag set: line 1 is 10,000 + 25,000 + 21,000 + 34,000 + 65,000 = 155,000; the
    # cap 3,100. Over it: Parveen 12,000 - 3,100 = 8,900; the private foundation 16,900; the
    # community foundation (a foundation: private until marked) 26,900; Windfall 46,900.
    # The city, the DAF sponsor and GlobalGiving count in full.
    assert before["line_4"]["total"] == "155000.00"
    assert before["line_5"] == "99600.00"
    assert before["line_6"] == "55400.00"
    assert before["line_14"] == "35.74"  # 55,400 / 155,000

    client.force_login(staff)
    _admin_flag(client, f"/admin/donors/donor/{community.pk}/change/", "donor",
                public_support_org="True")  # fmt: skip
    _admin_flag(client, f"/admin/donors/gift/{earmarked.pk}/change/", "gift", earmarked="on")
    _admin_flag(client, f"/admin/donors/gift/{unusual.pk}/change/", "gift", unusual_grant="on")
    assert Donor.objects.get(pk=community.pk).counts_in_full_for_public_support
    assert Gift.objects.get(pk=earmarked.pk).earmarked
    assert Gift.objects.get(pk=unusual.pk).unusual_grant
    # Each flag is in the audit log with who set it.
    entry = LogEntry.objects.get_for_object(unusual).latest("timestamp")
    assert entry.changes_dict == {"unusual_grant": ["False", "True"]}
    assert entry.actor == staff
    entry = LogEntry.objects.get_for_object(community).latest("timestamp")
    assert entry.changes_dict["public_support_org"] == ["None", "True"]

    support = _json(capsys)["public_support"]
    # Windfall's unusual grant leaves 2025's column: 2,000 + 8,000 + 5,000 = 15,000.
    line_1 = {"2021": "10000.00", "2022": "25000.00", "2023": "21000.00",
              "2024": "34000.00", "2025": "15000.00", "total": "105000.00"}  # fmt: skip
    assert support["line_1"] == line_1
    assert support["line_4"] == line_1 and support["line_11"] == line_1  # gifts only
    assert support["unusual_grants_excluded"] == "50000.00"
    # Cap 2% of 105,000 = 2,100. Over it: Parveen 9,900, the private foundation 17,900, the
    # earmarked DAF grant 2,900 (5,000 - 2,100); the community foundation now counts in full.
    assert support["donor_cap"] == "2100.00"
    assert support["line_5"] == "30700.00"
    assert support["line_6"] == support["public_support"] == "74300.00"
    assert support["line_14"] == support["public_support_percentage"] == "70.76"
    # 2020-2024 for line 15: 90,000, cap 1,800; Parveen 8,200 and the private foundation
    # 18,200 over it: 63,600 / 90,000 = 70.67%.
    assert support["line_15"] == "70.67"
    assert (support["line_16a"], support["line_16b"], support["line_17a"]) == (True, False, False)


@pytest.mark.parametrize(
    "grant, line_6, line_14, line_17a",
    [
        # 100,000 from one person: the cap, 2% of 100,000, is all the public support.
        (None, "2000.00", "2.00", False),
        # With a city's 10,000: cap 2,200; 2,200 + 10,000 = 12,200 of 110,000 = 11.09%.
        (D("10000.00"), "12200.00", "11.09", True),
    ],
)
def test_the_10_percent_facts_and_circumstances_indicator(
    organization, capsys, grant, line_6, line_14, line_17a
):
    factories.make_gift(amount=D("100000.00"), gift_date=day(2025, 1, 5))
    if grant:
        city = factories.make_donor(kind=DonorKind.GOVERNMENT, organization_name="State of NY")
        factories.make_gift(donor=city, amount=grant, method=GiftMethod.WIRE,
                            gift_date=day(2025, 8, 1))  # fmt: skip
    support = _json(capsys)["public_support"]
    assert (support["line_6"], support["line_14"]) == (line_6, line_14)
    assert (support["line_16a"], support["line_16b"]) == (False, False)
    assert support["line_17a"] is line_17a


def test_exactly_one_third_meets_the_33_percent_test(organization, capsys):
    # Cap 2% of 3,000 = 60: one person's 2,060 counts 60, the city's 940 in full: 1,000 of
    # 3,000 is exactly one third (line 14 prints 33.33; the test is exact).
    factories.make_gift(amount=D("2060.00"), gift_date=day(2025, 1, 5))
    city = factories.make_donor(kind=DonorKind.GOVERNMENT, organization_name="Town of Carmel")
    factories.make_gift(donor=city, amount=D("940.00"), method=GiftMethod.WIRE,
                        gift_date=day(2025, 2, 5))  # fmt: skip
    support = _json(capsys)["public_support"]
    assert support["line_5"] == "2000.00"
    assert support["line_6"] == "1000.00"
    assert support["line_14"] == "33.33"
    assert support["line_16a"] is True


def test_csv_and_pdf_lay_out_schedule_a_part_ii(client, staff, supporters, capsys, tmp_path):
    rows = list(csv.reader(io.StringIO(_run("--format", "csv", capsys=capsys))))
    table = {row[1]: row[2:] for row in rows if row[0] == "schedule_a_part_ii"}
    assert table["Calendar year"] == ["2021", "2022", "2023", "2024", "2025", "(f) Total"]
    assert table["1 Gifts, grants, contributions"] == [
        "10000.00", "25000.00", "21000.00", "34000.00", "65000.00", "155000.00",
    ]  # fmt: skip
    assert table["5 Portion over 2% of line 11 (f)"][-1] == "99600.00"
    assert table["14 Public support percentage"][-1] == "35.74%"
    assert table["16a 33 1/3% support test, this year"][-1] == "yes"
    path = tmp_path / "summary.pdf"
    _run("--format", "pdf", "--out", str(path), capsys=capsys)
    text = pdf_text(path.read_bytes())
    for expected in ["Schedule A Part II", "155,000.00", "99,600.00", "35.74%",
                     "16a 33 1/3% support test"]:  # fmt: skip
        assert expected in text, expected
