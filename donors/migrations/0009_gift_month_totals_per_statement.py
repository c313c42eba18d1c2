"""PostgreSQL: the gift month totals kept by one trigger run per statement (over its transition
tables) instead of one per row; the totals themselves are unchanged. SQLite keeps its per-row
triggers."""

from django.db import migrations

# The SQL is frozen here as donors.services.month_totals wrote it when this migration was last
# changed, so that replaying the migration gives the same triggers whatever the code says later.
_COUNTED_SQL = "('succeeded', 'partially_refunded')"


def _channel_sql(row):
    return (
        f"CASE WHEN {row}.method = 'globalgiving' THEN 'globalgiving' "
        f"WHEN {row}.benefit_value > 0 OR {row}.benefit_declined THEN 'events' "
        f"WHEN {row}.amount >= COALESCE((SELECT major_gift_threshold FROM donors_organization "
        f"WHERE id = 1), 1000) THEN 'major' "
        f"WHEN {row}.method IN ('card', 'ach') AND {row}.processor <> '' THEN 'online' "
        f"WHEN {row}.method = 'check' THEN 'checks' ELSE 'other' END"
    )


def _changes_sql(table, sign):
    return (
        f"SELECT date_trunc('month', g.tax_date)::date AS month, "
        f"COALESCE(g.campaign_id, 0) AS campaign_key, {_channel_sql('g')} AS channel, "
        f"{sign}ROUND((g.amount - g.amount_refunded) * 100)::bigint AS cents, {sign}1 AS n "
        f"FROM {table} AS g WHERE g.status IN {_COUNTED_SQL}"
    )


def _grouped_upsert_sql(*selects):
    return (
        "INSERT INTO donors_giftmonthtotal (month, campaign_key, channel, total_cents, gift_count) "
        "SELECT month, campaign_key, channel, SUM(cents), SUM(n) FROM ("
        + " UNION ALL ".join(selects)
        + ") AS changes GROUP BY month, campaign_key, channel "
        "ON CONFLICT (month, campaign_key, channel) DO UPDATE SET "
        "total_cents = donors_giftmonthtotal.total_cents + excluded.total_cents, "
        "gift_count = donors_giftmonthtotal.gift_count + excluded.gift_count;"
    )


_PG_TRIGGERS = {
    "donors_gift_month_total_ins": ("INSERT", "NEW TABLE AS new_rows"),
    "donors_gift_month_total_upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "donors_gift_month_total_del": ("DELETE", "OLD TABLE AS old_rows"),
}


def postgresql_trigger_sql():
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


def per_statement(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in postgresql_trigger_sql():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0008_organization_logo_gift_low_cost_article"),
    ]

    operations = [
        # Going back leaves the per-statement triggers: they keep the same totals.
        migrations.RunPython(per_statement, migrations.RunPython.noop),
    ]
