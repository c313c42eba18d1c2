from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, Max, Min
from django.db.models.functions import ExtractYear

from donors.models import Donor, DonorYearTotal, Gift
from donors.models.gift import COUNTED_STATUSES
from donors.money import ZERO, MoneyField, money_sum

_CHUNK = 500


def donor_figures_refresh(*, donor_ids: Iterable[int]) -> None:
    """Recompute lifetime and per-year figures of these donors from their gifts, in the database.

    Counted: succeeded and partially refunded gifts, net of refunds, by tax year. Soft credits
    never count here: these are the donor's own giving.
    """
    ids = sorted({i for i in donor_ids if i is not None})
    for start in range(0, len(ids), _CHUNK):
        _refresh_chunk(ids[start : start + _CHUNK])


@transaction.atomic
def _refresh_chunk(ids: list[int]) -> None:
    kept = ExpressionWrapper(F("amount") - F("amount_refunded"), output_field=MoneyField())
    rows = (
        Gift.objects.filter(donor_id__in=ids, status__in=COUNTED_STATUSES)
        .annotate(year=ExtractYear("tax_date"))
        .values("donor_id", "year")
        .annotate(
            total=money_sum(kept),
            count=Count("id"),
            first=Min("tax_date"),
            last=Max("tax_date"),
            largest=Max(kept, output_field=MoneyField()),
        )
        .order_by()
    )
    per_donor: dict[int, list[dict]] = {i: [] for i in ids}
    for row in rows:
        per_donor[row["donor_id"]].append(row)

    DonorYearTotal.objects.filter(donor_id__in=ids).delete()
    DonorYearTotal.objects.bulk_create(
        DonorYearTotal(donor_id=d, year=r["year"], total=r["total"], gift_count=r["count"])
        for d, years in per_donor.items()
        for r in years
    )
    updates = []
    for donor_id, years in per_donor.items():
        updates.append(
            Donor(
                pk=donor_id,
                first_gift_date=min((r["first"] for r in years), default=None),
                last_gift_date=max((r["last"] for r in years), default=None),
                lifetime_total=sum((r["total"] for r in years), ZERO),
                largest_gift=max((r["largest"] for r in years), default=ZERO),
                gift_count=sum(r["count"] for r in years),
                years_given=len(years),
            )
        )
    Donor.objects.bulk_update(
        updates,
        [
            "first_gift_date",
            "last_gift_date",
            "lifetime_total",
            "largest_gift",
            "gift_count",
            "years_given",
        ],
    )
