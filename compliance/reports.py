"""The organization's annual summary: totals by month, method, campaign, fund and donor state,
Form 990 Schedule B (Parts I and II) and Schedule A Part II's public support
(compliance.public_support).

Every figure is summed in the database (money_sum rounds in SQL so SQLite's float sums stay
exact to the cent); the deductible part of each gift is worked out in SQL by the same rule as
donors.deductible.deductible_amount, with the year's insubstantial-benefit limits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth

from compliance.models import BenefitLimit, FilingProfile
from compliance.public_support import public_support
from donors.deductible import (
    deductible_part_expression,
    effective_benefit_expression,
)
from donors.deductible import (
    money_value as _money_value,
)
from donors.exports import csv_cell
from donors.models import DonorAddress, DonorEmail, Gift
from donors.models.gift import NON_CASH_METHODS
from donors.money import ZERO, money, money_sum
from donors.money_rules import KEPT, counted_q

GENERAL_RULE = Decimal("5000.00")
TWO_PERCENT = Decimal("0.02")


def gifts_of_year(year: int):
    """The year's gifts the organization kept, with ``kept`` and ``deductible`` annotated (the
    receipt rules of donors.deductible, in the database)."""
    limits = BenefitLimit.objects.filter(year=year).first()
    return (
        Gift.objects.filter(
            counted_q(),
            tax_date__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)),
        )
        .annotate(
            kept=KEPT,
        )
        .annotate(
            deductible=deductible_part_expression(F("kept"), effective_benefit_expression(limits)),
        )
    )


def _grouped(gifts, key: str, label=lambda value: value) -> dict[str, str]:
    rows = gifts.values(key).annotate(total=money_sum("kept")).order_by(key)
    return {str(label(row[key])): str(row["total"]) for row in rows}


def _primary_state():
    return Subquery(
        DonorAddress.objects.filter(donor=OuterRef("donor"))
        .order_by("-is_primary", "id")
        .values("region")[:1]
    )


def schedule_b_threshold(*, special_rule: bool, contributions: Decimal) -> Decimal:
    """General rule: $5,000. Special rule (509(a)(1)/170(b)(1)(A)(vi) organizations that meet
    the 33 1/3% support test): the greater of $5,000 and 2% of line 1h."""
    if not special_rule:
        return GENERAL_RULE
    return max(GENERAL_RULE, money(contributions * TWO_PERCENT))


def _noncash_description(gift: Gift) -> str:
    """Part II column (b): the shares and issuer, and the staff's description unless it says
    the same already."""
    text = gift.non_cash_description.strip()
    if gift.stock_shares and gift.stock_issuer:
        shares = f"{gift.stock_shares.normalize():f} shares of {gift.stock_issuer}"
        if shares.lower() not in text.lower():
            text = f"{shares}; {text}" if text else shares
    return text or gift.get_method_display()


def schedule_b(gifts, *, threshold: Decimal) -> tuple[list[dict], list[dict]]:
    """Schedule B's Part I (each contributor whose contributions in the year total the
    threshold or more, numbered) and Part II (each noncash gift of those contributors)."""
    noncash = Q(method__in=NON_CASH_METHODS)
    rows = list(
        gifts.values("donor_id", "donor__display_name")
        .annotate(
            total=money_sum("deductible"),
            cash_gifts=Count("pk", filter=~noncash),
            noncash_gifts=Count("pk", filter=noncash),
        )
        .filter(total__gte=_money_value(threshold))
        .order_by("-total", "donor__display_name", "donor_id")
    )
    ids = [row["donor_id"] for row in rows]
    emails, addresses = {}, {}
    for email in DonorEmail.objects.filter(donor_id__in=ids).order_by("-is_primary", "id"):
        emails.setdefault(email.donor_id, email.email)
    for address in DonorAddress.objects.filter(donor_id__in=ids).order_by("-is_primary", "id"):
        addresses.setdefault(address.donor_id, address)
    part_i, numbers = [], {}
    for number, row in enumerate(rows, start=1):
        donor_id = row["donor_id"]
        numbers[donor_id] = number
        address = addresses.get(donor_id)
        part_i.append({
            "number": number,
            "name": row["donor__display_name"],
            "email": emails.get(donor_id, ""),
            "address": str(address) if address else "",
            "postal_code": address.postal_code if address else "",
            "total": str(row["total"]),
            "person": row["cash_gifts"] > 0,
            "payroll": False,  # no gift records a payroll deduction
            "noncash": row["noncash_gifts"] > 0,
        })  # fmt: skip
    part_ii = [
        {
            "number": numbers[gift.donor_id],
            "name": gift.donor.display_name,
            "description": _noncash_description(gift),
            "fair_market_value": str(gift.kept),
            "date_received": (gift.date_received or gift.tax_date).isoformat(),
        }
        for gift in gifts.filter(noncash, donor_id__in=ids)
        .select_related("donor")
        .order_by("tax_date", "id")
    ]
    part_ii.sort(key=lambda entry: entry["number"])
    return part_i, part_ii


def annual_summary(year: int) -> dict:
    gifts = gifts_of_year(year)
    totals = gifts.aggregate(
        total_received=money_sum("kept"), total_deductible=money_sum("deductible")
    )
    months = {f"{year}-{m:02d}": "0.00" for m in range(1, 13)}
    for row in (
        gifts.annotate(month=TruncMonth("tax_date"))
        .values("month")
        .annotate(total=money_sum("kept"))
        .order_by("month")
    ):
        months[f"{row['month']:%Y-%m}"] = str(row["total"])
    support = public_support(year)
    special = FilingProfile.current().schedule_b_special_rule
    # Form 990 Part VIII line 1h: the contribution part of each of the year's payments.
    contributions = totals["total_deductible"] or ZERO
    threshold = schedule_b_threshold(special_rule=special, contributions=contributions)
    part_i, part_ii = schedule_b(gifts, threshold=threshold)
    by_state = (
        gifts.annotate(state=Coalesce(_primary_state(), Value("")))
        .values("state")
        .annotate(total=money_sum("kept"))
        .order_by("state")
    )
    return {
        "year": year,
        "total_received": str(totals["total_received"] or ZERO),
        "total_deductible": str(totals["total_deductible"] or ZERO),
        "contributions_line_1h": str(contributions),
        "gift_count": gifts.count(),
        "by_method": _grouped(gifts, "method"),
        "by_campaign": _grouped(gifts, "campaign__name", lambda v: v or "(no campaign)"),
        "by_fund": _grouped(gifts, "fund__name", lambda v: v or "(no fund)"),
        "by_month": months,
        "by_state": {(row["state"] or "(unknown)"): str(row["total"]) for row in by_state},
        "schedule_b_rule": "special 2% rule" if special else "general $5,000 rule",
        "schedule_b_threshold": str(threshold),
        # The special rule is for organizations meeting the 33 1/3% test (Schedule A Part II
        # line 13, 16a or 16b; line 13, the first five years, is not known here).
        "schedule_b_special_rule_qualifies": support["line_16a"] or support["line_16b"],
        "schedule_b": part_i,
        "schedule_b_noncash": part_ii,
        "public_support": support,
    }


SUMMARY_KEYS = (
    "year",
    "total_received",
    "total_deductible",
    "contributions_line_1h",
    "gift_count",
    "schedule_b_rule",
    "schedule_b_threshold",
)
PART_I_HEADER = [
    "(a) No.",
    "(b) Name, address, and ZIP + 4",
    "(c) Total contributions",
    "(d) Type of contribution",
]
PART_II_HEADER = [
    "(a) No. from Part I",
    "(b) Description of noncash property given",
    "(c) FMV (or estimate)",
    "(d) Date received",
]


def contribution_types(entry: dict) -> str:
    """Part I column (d): the boxes checked."""
    labels = (("person", "Person"), ("payroll", "Payroll"), ("noncash", "Noncash"))
    return ", ".join(label for key, label in labels if entry[key])


def name_and_address(entry: dict) -> str:
    return ", ".join(part for part in (entry["name"], entry["address"]) if part)


def schedule_a_rows(support: dict, *, readable: bool = False) -> list[tuple[str, list[str]]]:
    """Schedule A Part II as the form lays it out: a label and the cells of each line
    (``readable``: amounts with thousands separators, for pages and the PDF)."""
    years = [str(y) for y in range(support["years"][0], support["years"][1] + 1)]
    shown = (lambda amount: f"{Decimal(amount):,.2f}") if readable else str

    def by_year(key):
        return [shown(support[key][y]) for y in years] + [shown(support[key]["total"])]

    blank = [""] * len(years)
    yes = {True: "yes", False: "no"}
    return [
        ("Calendar year", [*years, "(f) Total"]),
        ("1 Gifts, grants, contributions", by_year("line_1")),
        ("4 Total (lines 1-3)", by_year("line_4")),
        ("5 Portion over 2% of line 11 (f)", [*blank, shown(support["line_5"])]),
        ("6 Public support", [*blank, shown(support["line_6"])]),
        ("11 Total support", by_year("line_11")),
        ("14 Public support percentage", [*blank, f"{support['line_14']}%"]),
        ("15 Percentage from the prior year", [*blank, f"{support['line_15']}%"]),
        ("16a 33 1/3% support test, this year", [*blank, yes[support["line_16a"]]]),
        ("16b 33 1/3% support test, prior year", [*blank, yes[support["line_16b"]]]),
        ("17a 10% facts-and-circumstances, this year", [*blank, yes[support["line_17a"]]]),
        ("17b 10% facts-and-circumstances, prior year", [*blank, yes[support["line_17b"]]]),
    ]


def summary_csv_rows(summary: dict) -> list[list[str]]:
    """The summary as section, key, value rows; Schedule B and Schedule A Part II as the forms
    lay them out, each row led by its section."""
    rows = [["section", "key", "value"]]
    rows.extend(["summary", key, str(summary[key])] for key in SUMMARY_KEYS)
    for section in ("by_month", "by_method", "by_campaign", "by_fund", "by_state"):
        rows.extend([section, key, value] for key, value in summary[section].items())
    rows.append(["schedule_b_part_i", *PART_I_HEADER])
    for e in summary["schedule_b"]:
        rows.append(
            ["schedule_b_part_i", str(e["number"]), name_and_address(e), e["total"],
             contribution_types(e)]
        )  # fmt: skip
    rows.append(["schedule_b_part_ii", *PART_II_HEADER])
    for e in summary["schedule_b_noncash"]:
        rows.append(
            ["schedule_b_part_ii", str(e["number"]), e["description"], e["fair_market_value"],
             e["date_received"]]
        )  # fmt: skip
    support = summary["public_support"]
    rows.extend(
        ["public_support", key, str(support[key])]
        for key in ("total_support", "donor_cap", "public_support", "public_support_percentage")
    )
    rows.extend(["schedule_a_part_ii", label, *cells] for label, cells in schedule_a_rows(support))
    return [[csv_cell(cell) for cell in row] for row in rows]
