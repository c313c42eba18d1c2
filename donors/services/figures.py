from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import ExtractYear, Round

from common.door import service
from donors.db import id_array, where_in
from donors.models import Donor, DonorYearTotal, Gift
from donors.money import MoneyField, money_sum
from donors.money_rules import KEPT, counted_q
from donors.services.standings import standings_refresh

# Small enough for SQLite's limit on query parameters, large enough for set-based speed. On
# PostgreSQL the ids go as one array parameter, so a chunk can be far larger.
_CHUNK = 5000
_PG_CHUNK = 100_000


@service
def donor_figures_refresh(*, donor_ids: Iterable[int]) -> None:
    """Recompute lifetime and per-year figures of these donors from their gifts, in the database.

    Counted: succeeded and partially refunded gifts, net of refunds, by tax year. Soft credits
    never count here: these are the donor's own giving. Set-based, three statements per chunk
    of donors whatever the number of gifts: the gifts are read once into the yearly totals,
    and the lifetime figures are read from those.
    """
    ids = sorted({i for i in donor_ids if i is not None})
    size = _PG_CHUNK if connection.vendor == "postgresql" else _CHUNK
    for start in range(0, len(ids), size):
        _refresh_chunk(ids[start : start + size])


# Above this many donors the PostgreSQL planner is kept from compiling the statements (JIT).
_JIT_OFF_FROM = 1000


@transaction.atomic(savepoint=False)
def _refresh_chunk(ids: list[int]) -> None:
    """Three statements: the donors' yearly rows deleted, recomputed from their gifts, and
    their lifetime figures from those (zeros for a donor with no yearly row left). Inside the
    caller's transaction when there is one (a gift's save), without a savepoint of its own."""
    kept = KEPT
    per_year = (
        where_in(Gift.objects.filter(counted_q()), "donor_id", ids)
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
    select_sql, params = per_year.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if len(ids) >= _JIT_OFF_FROM:
                # Right after a bulk import the statistics are stale: the planner guesses
                # millions of rows and compiles the statements (JIT), 0.3 s of a 1 s update,
                # for nothing.
                cursor.execute("SET LOCAL jit = off")
                # Their sorts (by donor and year) in memory, not spilled to disk: about 5 MB
                # per 100,000 gifts, over the default 4 MB.
                cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(
                f"DELETE FROM {years_table} WHERE donor_id = ANY(%s::bigint[])", [id_array(ids)]
            )
        else:
            # In SQL, not QuerySet.delete(): with delete signals connected (the one door's
            # check) Django would read the rows first to send them.
            cursor.execute(
                f"DELETE FROM {years_table} WHERE donor_id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
        cursor.execute(
            f"INSERT INTO {years_table} (donor_id, year, total, gift_count, first_gift_date, "
            f"last_gift_date, largest_gift) {select_sql}",
            params,
        )
    if connection.vendor == "postgresql":
        _lifetime_update_pg(ids)
    else:
        _lifetime_update_sqlite(ids)
    # The dashboard's standings by fiscal year (and, through their triggers, its summary).
    standings_refresh(ids)


def _lifetime_update_sqlite(ids: list[int]) -> None:
    """The lifetime figures from the yearly rows in one ``UPDATE … FROM`` (SQLite 3.33+): each
    donor of ``ids``, one with no yearly row left getting zeros."""
    donors_table, years_table = Donor._meta.db_table, DonorYearTotal._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {donors_table} SET lifetime_total = agg.total, "
            "gift_count = agg.gift_count, years_given = agg.years, "
            "first_gift_date = agg.first, last_gift_date = agg.last, largest_gift = agg.largest "
            "FROM (SELECT d.id AS id, COALESCE(ROUND(SUM(y.total), 2), 0) AS total, "
            "COALESCE(SUM(y.gift_count), 0) AS gift_count, COUNT(y.id) AS years, "
            "MIN(y.first_gift_date) AS first, MAX(y.last_gift_date) AS last, "
            "COALESCE(MAX(y.largest_gift), 0) AS largest "
            f"FROM {donors_table} AS d LEFT JOIN {years_table} AS y ON y.donor_id = d.id "
            f"WHERE d.id IN ({', '.join(['%s'] * len(ids))}) GROUP BY d.id) AS agg "
            f"WHERE {donors_table}.id = agg.id",
            ids,
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
