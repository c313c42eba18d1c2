"""The organization's annual summary: totals by month, method, campaign, fund and donor state,
the Schedule B contributor list and the five-year public support figure.

Every figure is summed in the database (money_sum rounds in SQL so SQLite's float sums stay
exact to the cent); the deductible part of each gift is worked out in SQL by the same rule as
donors.deductible.deductible_amount, with the year's insubstantial-benefit limits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least, TruncMonth

from compliance.models import BenefitLimit, FilingProfile
from donors.deductible import (
    deductible_part_expression,
    effective_benefit_expression,
)
from donors.deductible import (
    money_value as _money_value,
)
from donors.exports import csv_cell
from donors.models import DonorAddress, DonorEmail, Gift
from donors.money import ZERO, money, money_sum
from donors.money_rules import KEPT, counted_q

GENERAL_RULE = Decimal("5000.00")


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


def schedule_b(year: int, *, special_rule: bool, five_year_support: Decimal) -> tuple:
    """Contributors listed on Schedule B: deductible parts of the year's gifts, each donor's
    total at or over $5,000 (general rule), or over the greater of $5,000 and 2% of the
    five-year support (the special rule for 509(a)(1) organizations)."""
    two_percent = money(five_year_support * Decimal("0.02"))
    threshold = max(GENERAL_RULE, two_percent) if special_rule else GENERAL_RULE
    donors = (
        gifts_of_year(year)
        .values("donor_id", "donor__display_name")
        .annotate(total=money_sum("deductible"))
        .filter(total__gte=GENERAL_RULE)
        .order_by("-total", "donor__display_name")
    )

    ids = [row["donor_id"] for row in donors]
    emails = {}
    for donor_id, email in (
        DonorEmail.objects.filter(donor_id__in=ids)
        .order_by("donor_id", "-is_primary", "id")
        .values_list("donor_id", "email")
    ):
        emails.setdefault(donor_id, email)
    listed = [
        {"name": row["donor__display_name"], "email": emails.get(row["donor_id"], ""),
         "total": str(row["total"])}
        for row in donors
        if not special_rule or row["total"] > two_percent
    ]  # fmt: skip
    return listed, threshold


def public_support(year: int) -> dict:
    """Five years ending with ``year``: total support, and public support with each donor's
    contributions counted up to 2% of the total support."""
    first = year - 4
    gifts = Gift.objects.filter(
        counted_q(),
        tax_date__range=(datetime.date(first, 1, 1), datetime.date(year, 12, 31)),
    ).annotate(kept=KEPT)
    total = gifts.aggregate(total=money_sum("kept"))["total"] or ZERO
    cap = money(total * Decimal("0.02"))
    per_donor = gifts.values("donor_id").annotate(total=money_sum("kept"))
    capped = per_donor.annotate(
        counted=Least(F("total"), _money_value(cap), output_field=DecimalField())
    )
    public = capped.aggregate(public=money_sum("counted"))["public"] or ZERO
    share = (public / total * 100).quantize(Decimal("0.01")) if total else ZERO
    return {
        "years": [first, year],
        "total_support": str(total),
        "donor_cap": str(cap),
        "public_support": str(public),
        "public_support_percentage": str(share),
    }


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
    profile = FilingProfile.current()
    listed, threshold = schedule_b(
        year, special_rule=profile.schedule_b_special_rule,
        five_year_support=Decimal(support["total_support"]),
    )  # fmt: skip
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
        "gift_count": gifts.count(),
        "by_method": _grouped(gifts, "method"),
        "by_campaign": _grouped(gifts, "campaign__name", lambda v: v or "(no campaign)"),
        "by_fund": _grouped(gifts, "fund__name", lambda v: v or "(no fund)"),
        "by_month": months,
        "by_state": {(row["state"] or "(unknown)"): str(row["total"]) for row in by_state},
        "schedule_b_rule": "special 2% rule"
        if profile.schedule_b_special_rule
        else "general $5,000 rule",
        "schedule_b_threshold": str(threshold),
        "schedule_b": listed,
        "public_support": support,
    }


def summary_csv_rows(summary: dict) -> list[list[str]]:
    rows = [["section", "key", "value"]]
    for key in (
        "year",
        "total_received",
        "total_deductible",
        "gift_count",
        "schedule_b_rule",
        "schedule_b_threshold",
    ):
        rows.append(["summary", key, str(summary[key])])
    for section in ("by_month", "by_method", "by_campaign", "by_fund", "by_state"):
        rows.extend([section, key, value] for key, value in summary[section].items())
    for entry in summary["schedule_b"]:
        rows.append(["schedule_b", f"{entry['name']} <{entry['email']}>", entry["total"]])
    rows.extend(
        ["public_support", key, str(value)] for key, value in summary["public_support"].items()
    )
    return [[csv_cell(cell) for cell in row] for row in rows]
