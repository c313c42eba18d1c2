from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import ExtractYear, Round

from common.door import service
from donors.db import id_array, where_in
from donors.models import Donor, DonorYearTotal, Gift, Organization
from donors.money import MoneyField, money_sum
from donors.money_rules import KEPT, counted_q
from donors.services.standings import (
    standings_from_years_select,
    standings_refresh,
    standings_select_sql,
    standings_upsert_pg,
)

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


# Up to this many donors (a gift's save, a merge, a small import) PostgreSQL refreshes the
# figures in one statement (``_refresh_pg``): one round trip instead of five. Above it (a bulk
# import) in five plain statements: there the one statement's upserts and anti-joins over
# 100,000 donors took 3.8 s against 2.0 s.
ONE_STATEMENT_UP_TO = 999


@transaction.atomic(savepoint=False)
def _refresh_chunk(ids: list[int]) -> None:
    """The donors' yearly rows, lifetime figures and standings recomputed from their gifts
    (zeros for a donor with nothing counted left): on PostgreSQL one statement for a few
    donors, five for many; on SQLite five. Inside the caller's transaction when there is one (a gift's save), without a savepoint of
    its own."""
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
    select_sql, params = per_year.query.sql_with_params()
    postgresql = connection.vendor == "postgresql"
    if postgresql and len(ids) <= ONE_STATEMENT_UP_TO:
        _refresh_pg(ids, select_sql, params)
        return
    years_table = DonorYearTotal._meta.db_table
    with connection.cursor() as cursor:
        if postgresql:
            # Right after a bulk import the statistics are stale: the planner guesses millions
            # of rows and compiles the statements (JIT), 0.3 s of a 1 s update, for nothing.
            cursor.execute("SET LOCAL jit = off")
            # Their sorts (by donor and year) in memory, not spilled to disk: about 5 MB per
            # 100,000 gifts, over the default 4 MB.
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
    if postgresql:
        _lifetime_update_pg(ids)
    else:
        _lifetime_update_sqlite(ids)
    # The dashboard's standings by fiscal year (and, through their triggers, its summary).
    standings_refresh(ids)


_YEAR_FIGURES = ("total", "gift_count", "first_gift_date", "last_gift_date", "largest_gift")
_DONOR_FIGURES = (
    "lifetime_total", "gift_count", "years_given", "first_gift_date", "last_gift_date",
    "largest_gift",
)  # fmt: skip


def _refresh_pg(ids: list[int], select_sql: str, params) -> None:
    """PostgreSQL: the yearly rows, the lifetime figures and the standings of ``ids`` in one
    statement (a gift's save pays one round trip for them, not five). The donors' yearly
    figures are read from their gifts once (``fresh``); each table gets only what changed: a
    yearly row or standing no longer counted is deleted, a new or changed one upserted (the
    deleted and the upserted rows are never the same, so the order PostgreSQL runs the parts in
    does not matter), a donor row rewritten only where a figure changed (even a HOT update of
    a donor row costs). The standings come from ``fresh`` when the fiscal year is the calendar
    year, from the gifts by fiscal year otherwise."""
    years_table, donors_table = DonorYearTotal._meta.db_table, Donor._meta.db_table
    org = Organization.current()
    start_month = org.fiscal_year_start_month if org else 1
    ids_sql = "%s::bigint[]"
    array = id_array(ids)
    year_set = ", ".join(f"{c} = EXCLUDED.{c}" for c in _YEAR_FIGURES)
    year_old = ", ".join(f"{years_table}.{c}" for c in _YEAR_FIGURES)
    year_new = ", ".join(f"EXCLUDED.{c}" for c in _YEAR_FIGURES)
    donor_set = ", ".join(f"{c} = agg.{c}" for c in _DONOR_FIGURES)
    donor_old = ", ".join(f"d.{c}" for c in _DONOR_FIGURES)
    donor_new = ", ".join(f"agg.{c}" for c in _DONOR_FIGURES)
    if start_month == 1:
        standings, standing_params = standings_from_years_select("fresh"), []
    else:
        standings = standings_select_sql("postgresql", f"g.donor_id = ANY({ids_sql})", "%s")
        standing_params = [start_month, start_month, array]
    sql = (
        f"WITH fresh (donor_id, year, total, gift_count, first, last, largest) AS ({select_sql}), "
        f"year_gone AS (DELETE FROM {years_table} AS y WHERE y.donor_id = ANY({ids_sql}) "
        "AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.donor_id = y.donor_id "
        "AND f.year = y.year)), "
        f"year_put AS (INSERT INTO {years_table} (donor_id, year, {', '.join(_YEAR_FIGURES)}) "
        "SELECT * FROM fresh ON CONFLICT (donor_id, year) DO UPDATE SET "
        f"{year_set} WHERE ({year_old}) IS DISTINCT FROM ({year_new})), "
        f"lifetime AS (UPDATE {donors_table} AS d SET {donor_set} "
        "FROM (SELECT ids.id, COALESCE(SUM(f.total), 0) AS lifetime_total, "
        "COALESCE(SUM(f.gift_count), 0) AS gift_count, COUNT(f.year) AS years_given, "
        "MIN(f.first) AS first_gift_date, MAX(f.last) AS last_gift_date, "
        "COALESCE(MAX(f.largest), 0) AS largest_gift "
        f"FROM unnest({ids_sql}) AS ids(id) LEFT JOIN fresh AS f ON f.donor_id = ids.id "
        "GROUP BY ids.id) AS agg "
        f"WHERE d.id = agg.id AND ({donor_old}) IS DISTINCT FROM ({donor_new})), "
        + standings_upsert_pg(standings, ids_sql)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, array, array, *standing_params, array])


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
