"""Public support, as Form 990 Schedule A Part II lays it out (509(a)(1)/170(b)(1)(A)(vi)).

Five years ending with the tax year. Line 1 holds the contribution part of each gift (what the
donor got in return left out, by each year's insubstantial-benefit limits), unusual grants left
out. The books here hold gifts only: lines 2-3 (tax revenues, government services) and 8-10
(investment income, unrelated business income, other income) are not kept, so line 4 and total
support (line 11) are line 1. Line 5 is each donor's five-year contributions above 2% of line
11 (f), except gifts from governmental units and publicly supported organizations (GlobalGiving,
DAF sponsors, other public charities), which count in full unless earmarked by a donor.
Every sum is worked out in the database.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, When
from django.db.models.functions import ExtractYear, Greatest

from compliance.models import BenefitLimit
from donors.deductible import (
    deductible_part_expression,
    effective_benefit_expression,
)
from donors.deductible import (
    money_value as _money_value,
)
from donors.models import Gift
from donors.models.donor import public_support_org_q
from donors.money import ZERO, money, money_sum
from donors.money_rules import KEPT, counted_q

DONOR_LIMIT = Decimal("0.02")

NOT_TRACKED = (
    "Lines 2-3 and 8-10 (tax revenues, government services, investment income, unrelated "
    "business income, other income) are not kept here: total support counts gifts only."
)


def _year_range(first: int, last: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def _contribution(first: int, last: int) -> Case:
    """The contribution part of each gift, by the insubstantial-benefit limits of its tax year
    (over gifts annotated with ``kept``)."""
    limits = {row.year: row for row in BenefitLimit.objects.filter(year__range=(first, last))}
    return Case(
        *(
            When(
                tax_date__range=_year_range(year, year),
                then=deductible_part_expression(
                    F("kept"), effective_benefit_expression(limits.get(year))
                ),
            )
            for year in range(first, last + 1)
        ),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _five_years(year: int) -> dict:
    """The lines of one year's Schedule A Part II, as Decimals (column (f) for lines 5 and 6)."""
    first = year - 4
    gifts = (
        Gift.objects.filter(counted_q(), tax_date__range=_year_range(first, year))
        .annotate(kept=KEPT)
        .annotate(contribution=_contribution(first, year))
    )
    by_year = {
        row["year"]: row
        for row in gifts.annotate(year=ExtractYear("tax_date"))
        .values("year")
        .annotate(
            line_1=money_sum("contribution", filter=Q(unusual_grant=False)),
            unusual=money_sum("contribution", filter=Q(unusual_grant=True)),
        )
        .order_by("year")
    }
    line_1 = {str(y): (by_year.get(y) or {}).get("line_1") or ZERO for y in range(first, year + 1)}
    total = sum(line_1.values(), ZERO)
    unusual = sum(((row["unusual"] or ZERO) for row in by_year.values()), ZERO)
    cap = money(total * DONOR_LIMIT)
    # Each donor held to the limit: all but the public bodies' own (not earmarked) gifts.
    excess = (
        gifts.filter(unusual_grant=False)
        .exclude(public_support_org_q("donor__") & Q(earmarked=False))
        .values("donor_id")
        .annotate(given=money_sum("contribution"))
        .annotate(
            excess=Greatest(
                F("given") - _money_value(cap), _money_value(ZERO), output_field=DecimalField()
            )
        )
        .aggregate(line_5=money_sum("excess"))["line_5"]
        or ZERO
    )
    public = total - excess
    return {
        "years": [first, year],
        "line_1": line_1,
        "total": total,
        "cap": cap,
        "line_5": excess,
        "line_6": public,
        "percentage": money(public * 100 / total) if total else ZERO,
        # Compared exactly: 33 1/3% is public × 3 ≥ total.
        "third": bool(total) and public * 3 >= total,
        "tenth": bool(total) and public * 10 >= total,
        "unusual": unusual,
    }


def _columns(line: dict, total: Decimal) -> dict[str, str]:
    return {**{year: str(value) for year, value in line.items()}, "total": str(total)}


def public_support(year: int) -> dict:
    """Schedule A Part II for ``year``: the five-year table, the percentages (line 14, and line
    15 from the year before) and the tests (16a, 16b, 17a, 17b)."""
    now, before = _five_years(year), _five_years(year - 1)
    line_16a = now["third"]
    line_16b = not line_16a and before["third"]
    line_17a = not (line_16a or line_16b) and now["tenth"]
    line_17b = not (line_16a or line_16b or line_17a) and before["tenth"]
    columns = _columns(now["line_1"], now["total"])
    return {
        "years": now["years"],
        "total_support": str(now["total"]),
        "donor_cap": str(now["cap"]),
        "public_support": str(now["line_6"]),
        "public_support_percentage": str(now["percentage"]),
        "line_1": columns,
        "line_4": columns,
        "line_5": str(now["line_5"]),
        "line_6": str(now["line_6"]),
        "line_11": columns,
        "line_14": str(now["percentage"]),
        "line_15": str(before["percentage"]),
        "line_16a": line_16a,
        "line_16b": line_16b,
        "line_17a": line_17a,
        "line_17b": line_17b,
        "unusual_grants_excluded": str(now["unusual"]),
        "not_tracked": NOT_TRACKED,
    }
