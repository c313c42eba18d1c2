from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Sum,
)
from django.db.models.functions import ExtractYear, Round

from common.door import service
from donors.db import id_array, where_in
from donors.models import Donor, DonorYearTotal, Gift
from donors.models.gift import COUNTED_STATUSES
from donors.money import ZERO, MoneyField, money_sum

# Small enough for SQLite's limit on query parameters, large enough for set-based speed. On
# PostgreSQL the ids go as one array parameter, so a chunk can be far larger.
_CHUNK = 5000
_PG_CHUNK = 100_000


@service
def donor_figures_refresh(*, donor_ids: Iterable[int]) -> None:
    """Recompute lifetime and per-year figures of these donors from their gifts, in the database.

    Counted: succeeded and partially refunded gifts, net of refunds, by tax year. Soft credits
    never count here: these are the donor's own giving. Set-based, three statements per chunk
    of donors whatever the number of gifts (four on SQLite): the gifts are read once into the
    yearly totals, and the lifetime figures are read from those.
    """
    ids = sorted({i for i in donor_ids if i is not None})
    size = _PG_CHUNK if connection.vendor == "postgresql" else _CHUNK
    for start in range(0, len(ids), size):
        _refresh_chunk(ids[start : start + size])


@transaction.atomic
def _refresh_chunk(ids: list[int]) -> None:
    kept = ExpressionWrapper(F("amount") - F("amount_refunded"), output_field=MoneyField())
    per_year = (
        where_in(Gift.objects.filter(status__in=COUNTED_STATUSES), "donor_id", ids)
        .annotate(year=ExtractYear("tax_date"))
        .values("donor_id", "year")
        .annotate(
            total=money_sum(kept),
            gift_count=Count("id"),
            first=Min("tax_date"),
            last=Max("tax_date"),
            largest=Round(Max(kept), 2, output_field=MoneyField()),
        )
        .values_list("donor_id", "year", "total", "gift_count", "first", "last", "largest")
        .order_by()
    )
    years_table = DonorYearTotal._meta.db_table
    donors_table = Donor._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Right after a bulk import the statistics are stale: the planner guesses millions
            # of rows and compiles the statements (JIT), 0.3 s of a 1 s update, for nothing.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                f"DELETE FROM {years_table} WHERE donor_id = ANY(%s::bigint[])", [id_array(ids)]
            )
    else:
        DonorYearTotal.objects.filter(donor_id__in=ids).delete()
    select_sql, params = per_year.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {years_table} (donor_id, year, total, gift_count, first_gift_date, "
            f"last_gift_date, largest_gift) {select_sql}",
            params,
        )
    if connection.vendor == "postgresql":
        _lifetime_update_pg(ids)
        return
    lifetime = (
        where_in(DonorYearTotal.objects.all(), "donor_id", ids)
        .values("donor_id")
        .annotate(
            agg_total=money_sum("total"),
            agg_count=Sum("gift_count"),
            agg_years=Count("id"),
            agg_first=Min("first_gift_date"),
            agg_last=Max("last_gift_date"),
            agg_largest=Max("largest_gift"),
        )
        .values_list(
            "donor_id", "agg_total", "agg_count", "agg_years", "agg_first", "agg_last", "agg_largest"
        )
        .order_by()
    )
    lifetime_sql, lifetime_params = lifetime.query.sql_with_params()
    with connection.cursor() as cursor:
        # UPDATE … FROM: one pass over the small yearly table (SQLite 3.33+).
        cursor.execute(
            f"UPDATE {donors_table} SET lifetime_total = agg.agg_total, "
            "gift_count = agg.agg_count, years_given = agg.agg_years, "
            "first_gift_date = agg.agg_first, last_gift_date = agg.agg_last, "
            "largest_gift = agg.agg_largest "
            f"FROM ({lifetime_sql}) AS agg "
            f"WHERE {donors_table}.id = agg.donor_id",
            lifetime_params,
        )
    where_in(Donor.objects.all(), "id", ids).filter(
        ~Exists(DonorYearTotal.objects.filter(donor=OuterRef("pk")))
    ).exclude(gift_count=0, lifetime_total=ZERO, first_gift_date=None).update(
        lifetime_total=ZERO,
        gift_count=0,
        years_given=0,
        first_gift_date=None,
        last_gift_date=None,
        largest_gift=ZERO,
    )


def _lifetime_update_pg(ids: list[int]) -> None:
    """The lifetime figures from the yearly rows, in one statement: each donor of ``ids``
    (one with no yearly row left gets zeros), written only where a figure changed (each
    write of a donor row costs, even as a HOT update)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Donor._meta.db_table} AS d SET lifetime_total = agg.total, "
            "gift_count = agg.gift_count, years_given = agg.years, "
            "first_gift_date = agg.first, last_gift_date = agg.last, largest_gift = agg.largest "
            "FROM (SELECT ids.id, COALESCE(SUM(y.total), 0) AS total, "
            "COALESCE(SUM(y.gift_count), 0) AS gift_count, COUNT(y.id) AS years, "
            "MIN(y.first_gift_date) AS first, MAX(y.last_gift_date) AS last, "
            "COALESCE(MAX(y.largest_gift), 0) AS largest "
            "FROM unnest(%s::bigint[]) AS ids(id) "
            f"LEFT JOIN {DonorYearTotal._meta.db_table} AS y ON y.donor_id = ids.id "
            "GROUP BY ids.id) AS agg "
            "WHERE d.id = agg.id AND (d.lifetime_total, d.gift_count, d.years_given, "
            "d.first_gift_date, d.last_gift_date, d.largest_gift) IS DISTINCT FROM "
            "(agg.total, agg.gift_count, agg.years, agg.first, agg.last, agg.largest)",
            [id_array(ids)],
        )
