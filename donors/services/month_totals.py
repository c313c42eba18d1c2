"""The gift month totals behind the dashboard: kept by triggers, rebuilt on demand.

The triggers (SQL below; migrations 0005, 0009 and 0016 carry a frozen copy of it, so a change
here, or to the rules it is written from, needs a new migration that installs it:
``test_the_installed_triggers_are_the_ones_the_rules_write`` fails until then) add each counted gift's cents to its (tax month,
campaign, channel) row when it is inserted, take them off when it is deleted, and both when it
is updated. What they count and how they name the channel is written once, in
``donors.money_rules`` (``counted_sql``, ``kept_sql``, ``channel_sql``: the same rules Python
and the ORM read), the major-gift threshold read from the organization profile's row;
``tests/donors/test_month_totals.py`` proves the SQL and Python agree on generated gifts.

On PostgreSQL they run once per statement, over the statement's transition tables: a bulk
insert of 100,000 gifts (an import's COPY) adds one grouped row per month, campaign and channel
instead of upserting the same few rows 100,000 times (which cost about 25 s, each update of a
row leaving a version behind that the next one had to step over). SQLite has no statement-level
triggers: there they run per row.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth

from common.door import service
from donors.db import triggers_ensure
from donors.models import Gift, GiftMonthTotal, Organization
from donors.money_rules import (
    KEPT,
    channel_expression,
    channel_sql,
    counted_q,
    counted_sql,
    kept_sql,
    major_threshold_of,
)


def _sqlite_upsert(row: str, sign: str) -> str:
    """The body of a SQLite row trigger (PostgreSQL's triggers run per statement)."""
    month = f"date({row}.tax_date, 'start of month')"
    cents = f"{sign}CAST(ROUND({kept_sql(row)} * 100) AS INTEGER)"
    return (
        "INSERT INTO donors_giftmonthtotal (month, campaign_key, channel, total_cents, gift_count) "
        f"VALUES ({month}, COALESCE({row}.campaign_id, 0), {channel_sql(row)}, {cents}, "
        f"{sign}1) ON CONFLICT (month, campaign_key, channel) DO UPDATE SET "
        "total_cents = donors_giftmonthtotal.total_cents + excluded.total_cents, "
        "gift_count = donors_giftmonthtotal.gift_count + excluded.gift_count;"
    )


def _changes_sql(table: str, sign: str) -> str:
    """One transition table's counted gifts as (month, campaign key, channel, cents, count)."""
    return (
        f"SELECT date_trunc('month', g.tax_date)::date AS month, "
        f"COALESCE(g.campaign_id, 0) AS campaign_key, {channel_sql('g')} AS channel, "
        f"{sign}ROUND({kept_sql('g')} * 100)::bigint AS cents, {sign}1 AS n "
        f"FROM {table} AS g WHERE {counted_sql('g')}"
    )


def _grouped_upsert_sql(*selects: str) -> str:
    return (
        "INSERT INTO donors_giftmonthtotal (month, campaign_key, channel, total_cents, gift_count) "
        "SELECT month, campaign_key, channel, SUM(cents), SUM(n) FROM ("
        + " UNION ALL ".join(selects)
        + ") AS changes GROUP BY month, campaign_key, channel "
        "ON CONFLICT (month, campaign_key, channel) DO UPDATE SET "
        "total_cents = donors_giftmonthtotal.total_cents + excluded.total_cents, "
        "gift_count = donors_giftmonthtotal.gift_count + excluded.gift_count;"
    )


# PostgreSQL: one trigger per event (a trigger with transition tables takes one event only).
_PG_TRIGGERS = {
    "donors_gift_month_total_ins": ("INSERT", "NEW TABLE AS new_rows"),
    "donors_gift_month_total_upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "donors_gift_month_total_del": ("DELETE", "OLD TABLE AS old_rows"),
}


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        old, new = _changes_sql("old_rows", "-"), _changes_sql("new_rows", "")
        return [
            # The per-row trigger of the first version, where it is still there.
            "DROP TRIGGER IF EXISTS donors_gift_month_total ON donors_gift;",
            "DROP FUNCTION IF EXISTS donors_gift_month_total();",
            "CREATE OR REPLACE FUNCTION donors_gift_month_totals() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {_grouped_upsert_sql(new)} "
            f"ELSIF TG_OP = 'DELETE' THEN {_grouped_upsert_sql(old)} "
            f"ELSE {_grouped_upsert_sql(old, new)} END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql;",
            *(f"DROP TRIGGER IF EXISTS {name} ON donors_gift;" for name in _PG_TRIGGERS),
            *(
                f"CREATE TRIGGER {name} AFTER {event} ON donors_gift REFERENCING {tables} "
                "FOR EACH STATEMENT EXECUTE FUNCTION donors_gift_month_totals();"
                for name, (event, tables) in _PG_TRIGGERS.items()
            ),
        ]
    return [
        "CREATE TRIGGER IF NOT EXISTS donors_gift_month_total_ins AFTER INSERT ON donors_gift "
        f"WHEN {counted_sql('NEW')} BEGIN {_sqlite_upsert('NEW', '')} END;",
        "CREATE TRIGGER IF NOT EXISTS donors_gift_month_total_del AFTER DELETE ON donors_gift "
        f"WHEN {counted_sql('OLD')} BEGIN {_sqlite_upsert('OLD', '-')} END;",
        # One trigger per side of an update: SQLite has no IF inside a trigger body.
        "CREATE TRIGGER IF NOT EXISTS donors_gift_month_total_upd_old AFTER UPDATE ON "
        f"donors_gift WHEN {counted_sql('OLD')} BEGIN {_sqlite_upsert('OLD', '-')} END;",
        "CREATE TRIGGER IF NOT EXISTS donors_gift_month_total_upd_new AFTER UPDATE ON "
        f"donors_gift WHEN {counted_sql('NEW')} BEGIN {_sqlite_upsert('NEW', '')} END;",
    ]


def drop_trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS donors_gift_month_total ON donors_gift;",
            *(f"DROP TRIGGER IF EXISTS {name} ON donors_gift;" for name in _PG_TRIGGERS),
            "DROP FUNCTION IF EXISTS donors_gift_month_total();",
            "DROP FUNCTION IF EXISTS donors_gift_month_totals();",
        ]
    return [
        f"DROP TRIGGER IF EXISTS donors_gift_month_total_{side};"
        for side in ("ins", "del", "upd_old", "upd_new")
    ]


@service
@transaction.atomic
def gift_month_totals_rebuild() -> None:
    """Recompute every row from the gifts, in the database (after the major-gift threshold
    changed, or to repair)."""
    threshold = major_threshold_of(Organization.current())
    cents = ExpressionWrapper(Round(KEPT * 100), output_field=BigIntegerField())

    select = (
        Gift.objects.filter(counted_q())
        .annotate(
            m=TruncMonth("tax_date"),
            key=Coalesce(F("campaign_id"), Value(0), output_field=BigIntegerField()),
            ch=channel_expression(threshold),
        )
        .values("m", "key", "ch")
        .annotate(t=Cast(Sum(cents), BigIntegerField()), n=Count("id"))
        .values_list("m", "key", "ch", "t", "n")
        .order_by()
    )
    sql, params = select.query.sql_with_params()
    GiftMonthTotal.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO donors_giftmonthtotal (month, campaign_key, channel, total_cents, "
            f"gift_count) {sql}",
            params,
        )


def _triggers_present(vendor: str) -> bool:
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [list(_PG_TRIGGERS)],
            )
            return cursor.fetchone()[0] == len(_PG_TRIGGERS)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'donors_gift_month_total%'"
        )
        return cursor.fetchone()[0] == 4


@service
def gift_month_totals_ensure() -> bool:
    """Make sure the triggers exist; when they had gone, recreate them and recount (run after
    every migrate: donors.db.triggers_ensure). Whether anything was repaired."""
    vendor = connection.vendor
    return triggers_ensure(
        present=_triggers_present(vendor),
        statements=trigger_sql(vendor),
        rebuild=gift_month_totals_rebuild,
    )
