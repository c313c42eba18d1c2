"""The donor standings and the giving summary behind the dashboard's donor states, giving by
state and LYBUNT/SYBUNT lists, so that the board's page reads a few hundred rows whatever the
number of gifts and donors.

- ``donors_donorstanding``: one row per donor who gave, by the organization's fiscal years
  (first, last, the one before the last, what the last one brought, lifetime) and the state of
  the primary address. Written by ``donor_figures_refresh`` beside the donor's other figures
  (every way a gift is written ends there: the gift services, imports, merges), from their
  yearly totals when the fiscal year is the calendar year and from the gifts otherwise, and by
  ``donor_standings_rebuild`` when the fiscal year's first month changes.
- ``donors_givingsummary``: the standings counted by (first, last, previous fiscal year,
  state). Kept by triggers on the standings table, like the gift month totals are on the
  gifts: per statement over the transition tables on PostgreSQL (a refresh of 100,000 donors
  upserts one grouped row per combination), per row on SQLite.
- A standing's ``state`` follows the donor's primary address through triggers on the
  addresses table, whichever way an address is written.

The SQL is written here once; migration 0021 carries a frozen copy of it.
``tests/crm/test_dashboard_kept.py`` compares the kept figures with a count from the gifts
after each kind of change.
"""

from __future__ import annotations

from django.db import connection, transaction

from common.door import service
from donors.db import id_array, triggers_ensure
from donors.models import Organization
from donors.money_rules import counted_sql, kept_sql

NO_ADDRESS = "No address"
OUTSIDE_US = "Outside the US"

_STANDINGS = "donors_donorstanding"
_SUMMARY = "donors_givingsummary"
# The fiscal year's first month, read from the organization profile's row (1 without one).
_START_MONTH = "(SELECT COALESCE(MAX(fiscal_year_start_month), 1) FROM donors_organization)"


def state_sql(donor_id: str) -> str:
    """The dashboard's state of a donor's primary address: the region for a US address,
    "Outside the US" for another country, "No address" without one (or without a region)."""
    return (
        "COALESCE((SELECT CASE WHEN a.country <> 'US' THEN '" + OUTSIDE_US + "' "
        "WHEN a.region = '' THEN '" + NO_ADDRESS + "' ELSE a.region END "
        f"FROM donors_donoraddress AS a WHERE a.donor_id = {donor_id} AND a.is_primary), "
        f"'{NO_ADDRESS}')"
    )


def _fiscal_year_sql(vendor: str, row: str, start_month: str) -> str:
    """A gift's fiscal year, named by the year it ends in (Organization.fiscal_year_of)."""
    if vendor == "postgresql":
        year = f"EXTRACT(YEAR FROM {row}.tax_date)::int"
        month = f"EXTRACT(MONTH FROM {row}.tax_date)::int"
    else:
        # SQLite keeps dates as 'YYYY-MM-DD' text (no strftime: its '%' would trip the
        # parameter formatting of a query with parameters).
        year = f"CAST(substr({row}.tax_date, 1, 4) AS INTEGER)"
        month = f"CAST(substr({row}.tax_date, 6, 2) AS INTEGER)"
    return f"({year} + CASE WHEN {start_month} > 1 AND {month} >= {start_month} THEN 1 ELSE 0 END)"


_COLUMNS = (
    "donor_id, first_fiscal_year, last_fiscal_year, previous_fiscal_year, last_year_total, "
    "lifetime_total, state"
)


def _standings_of(per_year: str) -> str:
    """The standings (``_COLUMNS``) from ``per_year``, a subquery of (donor_id, fy, total): a
    donor's fiscal years with giving, the latest first. The one place the first, last and
    previous fiscal years, the last year's total and the lifetime total are read."""
    return (
        "SELECT r.donor_id, MIN(r.fy), MAX(r.fy), MAX(CASE WHEN r.n = 2 THEN r.fy END), "
        "MAX(CASE WHEN r.n = 1 THEN r.total END), ROUND(SUM(r.total), 2), "
        f"{state_sql('r.donor_id')} "
        "FROM (SELECT y.donor_id, y.fy, y.total, "
        "ROW_NUMBER() OVER (PARTITION BY y.donor_id ORDER BY y.fy DESC) AS n "
        f"FROM {per_year} AS y) AS r GROUP BY r.donor_id"
    )


def standings_select_sql(vendor: str, where: str = "", start_month: str = _START_MONTH) -> str:
    """The standings of the donors whose gifts ``where`` selects (all without it): the counted
    gifts summed by donor and fiscal year. The fiscal year's first month is read from the
    profile's row, or given (``%s``, twice)."""
    fiscal_year = _fiscal_year_sql(vendor, "g", start_month)
    return _standings_of(
        f"(SELECT g.donor_id, {fiscal_year} AS fy, ROUND(SUM({kept_sql('g')}), 2) AS total "
        f"FROM donors_gift AS g WHERE {counted_sql('g')}{' AND ' + where if where else ''} "
        "GROUP BY g.donor_id, fy)"
    )


def standings_insert_sql(vendor: str, where: str = "", start_month: str = _START_MONTH) -> str:
    """Insert the standings of the donors whose gifts ``where`` selects (``standings_select_sql``)."""
    return f"INSERT INTO {_STANDINGS} ({_COLUMNS}) " + standings_select_sql(
        vendor, where, start_month
    )


def standings_from_years_select(years: str, where: str = "") -> str:
    """The standings of the donors whose yearly totals ``where`` selects (over ``t``), read
    from ``years`` (a table or a query's name with donor_id, year and total: the yearly
    totals): right when the fiscal year is the calendar year, as those totals are by calendar
    year. A row per donor and year instead of a gift each."""
    return _standings_of(
        f"(SELECT t.donor_id, t.year AS fy, t.total FROM {years} AS t"
        f"{' WHERE ' + where if where else ''})"
    )


def standings_from_years_sql(where: str) -> str:
    """Insert the standings of the donors whose yearly totals ``where`` selects, read from
    ``donors_donoryeartotal`` (written just before by the figures refresh)."""
    return f"INSERT INTO {_STANDINGS} ({_COLUMNS}) " + standings_from_years_select(
        "donors_donoryeartotal", where
    )


def standings_upsert_pg(select: str, ids: str) -> str:
    """PostgreSQL, the tail of one statement that writes the standings of the donors ``ids``
    (SQL giving an array) from ``select`` (their rows): each changed row written, a donor no
    longer counted removed. The two touch different rows, so it does not matter in which order
    PostgreSQL runs them; the summary's triggers see both changes at once."""
    changed = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS.split(", ")[1:])
    old = ", ".join(f"{_STANDINGS}.{c}" for c in _COLUMNS.split(", ")[1:])
    new = ", ".join(f"EXCLUDED.{c}" for c in _COLUMNS.split(", ")[1:])
    return (
        f"standing ({_COLUMNS}) AS ({select}), "
        f"standing_gone AS (DELETE FROM {_STANDINGS} AS s WHERE s.donor_id = ANY({ids}) "
        "AND NOT EXISTS (SELECT 1 FROM standing AS n WHERE n.donor_id = s.donor_id)) "
        f"INSERT INTO {_STANDINGS} ({_COLUMNS}) SELECT {_COLUMNS} FROM standing "
        f"ON CONFLICT (donor_id) DO UPDATE SET {changed} WHERE ({old}) IS DISTINCT FROM ({new})"
    )


def _summary_upsert_sqlite(row: str, sign: str) -> str:
    return (
        f"INSERT INTO {_SUMMARY} (first_fiscal_year, last_fiscal_year, previous_key, state, "
        f"donors, lifetime_cents, last_year_cents) VALUES ({row}.first_fiscal_year, "
        f"{row}.last_fiscal_year, COALESCE({row}.previous_fiscal_year, 0), {row}.state, "
        f"{sign}1, {sign}CAST(ROUND({row}.lifetime_total * 100) AS INTEGER), "
        f"{sign}CAST(ROUND({row}.last_year_total * 100) AS INTEGER)) " + _UPSERT_TAIL
    )


_UPSERT_TAIL = (
    "ON CONFLICT (first_fiscal_year, last_fiscal_year, previous_key, state) DO UPDATE SET "
    f"donors = {_SUMMARY}.donors + excluded.donors, "
    f"lifetime_cents = {_SUMMARY}.lifetime_cents + excluded.lifetime_cents, "
    f"last_year_cents = {_SUMMARY}.last_year_cents + excluded.last_year_cents;"
)


def _summary_changes_pg(table: str, sign: str) -> str:
    return (
        "SELECT s.first_fiscal_year AS f, s.last_fiscal_year AS l, "
        f"COALESCE(s.previous_fiscal_year, 0) AS p, s.state AS st, {sign}1 AS n, "
        f"{sign}ROUND(s.lifetime_total * 100)::bigint AS lc, "
        f"{sign}ROUND(s.last_year_total * 100)::bigint AS yc FROM {table} AS s"
    )


def _summary_upsert_pg(*selects: str) -> str:
    return (
        f"INSERT INTO {_SUMMARY} (first_fiscal_year, last_fiscal_year, previous_key, state, "
        "donors, lifetime_cents, last_year_cents) "
        "SELECT f, l, p, st, SUM(n), SUM(lc), SUM(yc) FROM ("
        + " UNION ALL ".join(selects)
        + ") AS changes GROUP BY f, l, p, st "
        + _UPSERT_TAIL
    )


def _state_update(donor_ids: str) -> str:
    """Set the state of the standings of ``donor_ids`` (SQL giving ids) where it changed."""
    state = state_sql(f"{_STANDINGS}.donor_id")
    return (
        f"UPDATE {_STANDINGS} SET state = {state} WHERE donor_id IN ({donor_ids}) "
        f"AND state <> {state};"
    )


_PG_SUMMARY_TRIGGERS = {
    "donors_giving_summary_ins": ("INSERT", "NEW TABLE AS new_rows"),
    "donors_giving_summary_upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "donors_giving_summary_del": ("DELETE", "OLD TABLE AS old_rows"),
}
_PG_STATE_TRIGGERS = {
    "donors_standing_state_ins": ("INSERT", "NEW TABLE AS new_rows"),
    "donors_standing_state_upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "donors_standing_state_del": ("DELETE", "OLD TABLE AS old_rows"),
}
_SQLITE_TRIGGERS = [
    *(f"donors_giving_summary_{side}" for side in ("ins", "del", "upd_old", "upd_new")),
    *(f"donors_standing_state_{side}" for side in ("ins", "del", "upd")),
]


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        old, new = _summary_changes_pg("old_rows", "-"), _summary_changes_pg("new_rows", "")
        new_ids, old_ids = "SELECT donor_id FROM new_rows", "SELECT donor_id FROM old_rows"
        return [
            "CREATE OR REPLACE FUNCTION donors_giving_summary() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {_summary_upsert_pg(new)} "
            f"ELSIF TG_OP = 'DELETE' THEN {_summary_upsert_pg(old)} "
            f"ELSE {_summary_upsert_pg(old, new)} END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql;",
            "CREATE OR REPLACE FUNCTION donors_standing_state() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {_state_update(new_ids)} "
            f"ELSIF TG_OP = 'DELETE' THEN {_state_update(old_ids)} "
            f"ELSE {_state_update(f'{old_ids} UNION {new_ids}')} END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql;",
            *(f"DROP TRIGGER IF EXISTS {name} ON {_STANDINGS};" for name in _PG_SUMMARY_TRIGGERS),
            *(
                f"CREATE TRIGGER {name} AFTER {event} ON {_STANDINGS} REFERENCING {tables} "
                "FOR EACH STATEMENT EXECUTE FUNCTION donors_giving_summary();"
                for name, (event, tables) in _PG_SUMMARY_TRIGGERS.items()
            ),
            *(
                f"DROP TRIGGER IF EXISTS {name} ON donors_donoraddress;"
                for name in _PG_STATE_TRIGGERS
            ),
            *(
                f"CREATE TRIGGER {name} AFTER {event} ON donors_donoraddress "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION donors_standing_state();"
                for name, (event, tables) in _PG_STATE_TRIGGERS.items()
            ),
        ]
    return [
        *(f"DROP TRIGGER IF EXISTS {name};" for name in _SQLITE_TRIGGERS),
        f"CREATE TRIGGER donors_giving_summary_ins AFTER INSERT ON {_STANDINGS} "
        f"BEGIN {_summary_upsert_sqlite('NEW', '')} END;",
        f"CREATE TRIGGER donors_giving_summary_del AFTER DELETE ON {_STANDINGS} "
        f"BEGIN {_summary_upsert_sqlite('OLD', '-')} END;",
        # One trigger per side of an update: SQLite has no IF inside a trigger body.
        f"CREATE TRIGGER donors_giving_summary_upd_old AFTER UPDATE ON {_STANDINGS} "
        f"BEGIN {_summary_upsert_sqlite('OLD', '-')} END;",
        f"CREATE TRIGGER donors_giving_summary_upd_new AFTER UPDATE ON {_STANDINGS} "
        f"BEGIN {_summary_upsert_sqlite('NEW', '')} END;",
        "CREATE TRIGGER donors_standing_state_ins AFTER INSERT ON donors_donoraddress "
        f"BEGIN {_state_update('NEW.donor_id')} END;",
        "CREATE TRIGGER donors_standing_state_del AFTER DELETE ON donors_donoraddress "
        f"BEGIN {_state_update('OLD.donor_id')} END;",
        "CREATE TRIGGER donors_standing_state_upd AFTER UPDATE ON donors_donoraddress "
        f"BEGIN {_state_update('OLD.donor_id, NEW.donor_id')} END;",
    ]


def standings_refresh(ids: list[int]) -> None:
    """Write again the standings of these donors (one chunk of ``donor_figures_refresh``, in
    its transaction, after their yearly totals): two statements, the triggers carrying the
    change to the summary. The fiscal year's first month comes from the profile the gift
    services already read; when it is January the standings are read from the yearly totals,
    otherwise from the gifts."""
    vendor = connection.vendor
    org = Organization.current()
    start_month = org.fiscal_year_start_month if org else 1
    if vendor == "postgresql":
        where, params = "= ANY(%s::bigint[])", [id_array(ids)]
    else:
        where, params = f"IN ({', '.join(['%s'] * len(ids))})", ids
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_STANDINGS} WHERE donor_id {where}", params)
        if start_month == 1:
            cursor.execute(standings_from_years_sql(f"t.donor_id {where}"), params)
        else:
            cursor.execute(
                standings_insert_sql(vendor, f"g.donor_id {where}", "%s"),
                [start_month, start_month, *params],
            )


@service
@transaction.atomic
def donor_standings_rebuild() -> None:
    """Recompute every standing from the gifts and the summary from them (after the fiscal
    year's first month changed, or to repair)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_STANDINGS}")
        # Whatever the summary held (its triggers may have been missing): start from nothing.
        cursor.execute(f"DELETE FROM {_SUMMARY}")
        cursor.execute(standings_insert_sql(vendor))


def _triggers_present(vendor: str) -> bool:
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            names = [*_PG_SUMMARY_TRIGGERS, *_PG_STATE_TRIGGERS]
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [names],
            )
            return cursor.fetchone()[0] == len(names)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({', '.join(['%s'] * len(_SQLITE_TRIGGERS))})",
            _SQLITE_TRIGGERS,
        )
        return cursor.fetchone()[0] == len(_SQLITE_TRIGGERS)


@service
def donor_standings_ensure() -> bool:
    """Make sure the triggers exist; when they had gone, recreate them and recount (run after
    every migrate: donors.db.triggers_ensure). Whether anything was repaired."""
    vendor = connection.vendor
    return triggers_ensure(
        present=_triggers_present(vendor),
        statements=trigger_sql(vendor),
        rebuild=donor_standings_rebuild,
    )
