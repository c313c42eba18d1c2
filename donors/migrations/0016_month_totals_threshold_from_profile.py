"""The gift month-total triggers read the major-gift threshold from the organization profile's
row, whichever its id (it was looked up as ``id = 1``), with the default written where the
rules keep it (donors.money_rules). The totals themselves are unchanged: no recount."""

from django.db import migrations

# The SQL is frozen here as donors.services.month_totals (from donors.money_rules) writes it
# today, so that replaying the migration gives the same triggers whatever the code says later.
_COUNTED = "{row}.status IN ('succeeded', 'partially_refunded')"
_KEPT = "({row}.amount - {row}.amount_refunded)"
_CHANNEL = (
    "CASE WHEN {row}.method IN ('globalgiving') THEN 'globalgiving' "
    "WHEN ({row}.benefit_value > 0 OR {row}.benefit_declined) THEN 'events' "
    "WHEN {row}.amount >= COALESCE((SELECT major_gift_threshold FROM donors_organization "
    "LIMIT 1), 1000.00) THEN 'major' "
    "WHEN ({row}.method IN ('card', 'ach') AND {row}.processor <> '') THEN 'online' "
    "WHEN {row}.method IN ('check') THEN 'checks' ELSE 'other' END"
)
_UPSERT_TAIL = (
    "ON CONFLICT (month, campaign_key, channel) DO UPDATE SET "
    "total_cents = donors_giftmonthtotal.total_cents + excluded.total_cents, "
    "gift_count = donors_giftmonthtotal.gift_count + excluded.gift_count;"
)
_INSERT = (
    "INSERT INTO donors_giftmonthtotal (month, campaign_key, channel, total_cents, gift_count) "
)


def _sqlite_upsert(row, sign):
    return (
        f"{_INSERT}VALUES (date({row}.tax_date, 'start of month'), "
        f"COALESCE({row}.campaign_id, 0), {_CHANNEL.format(row=row)}, "
        f"{sign}CAST(ROUND({_KEPT.format(row=row)} * 100) AS INTEGER), {sign}1) {_UPSERT_TAIL}"
    )


def sqlite_trigger_sql():
    sides = {
        "ins": ("INSERT", "NEW", ""),
        "del": ("DELETE", "OLD", "-"),
        "upd_old": ("UPDATE", "OLD", "-"),
        "upd_new": ("UPDATE", "NEW", ""),
    }
    statements = [f"DROP TRIGGER IF EXISTS donors_gift_month_total_{side};" for side in sides]
    for side, (event, row, sign) in sides.items():
        statements.append(
            f"CREATE TRIGGER donors_gift_month_total_{side} AFTER {event} ON donors_gift "
            f"WHEN {_COUNTED.format(row=row)} BEGIN {_sqlite_upsert(row, sign)} END;"
        )
    return statements


def _changes_sql(table, sign):
    return (
        "SELECT date_trunc('month', g.tax_date)::date AS month, "
        f"COALESCE(g.campaign_id, 0) AS campaign_key, {_CHANNEL.format(row='g')} AS channel, "
        f"{sign}ROUND({_KEPT.format(row='g')} * 100)::bigint AS cents, {sign}1 AS n "
        f"FROM {table} AS g WHERE {_COUNTED.format(row='g')}"
    )


def _grouped_upsert_sql(*selects):
    return (
        f"{_INSERT}SELECT month, campaign_key, channel, SUM(cents), SUM(n) FROM ("
        + " UNION ALL ".join(selects)
        + f") AS changes GROUP BY month, campaign_key, channel {_UPSERT_TAIL}"
    )


def postgresql_function_sql():
    # The triggers themselves (0009) stay: they call this function, replaced in place.
    old, new = _changes_sql("old_rows", "-"), _changes_sql("new_rows", "")
    return [
        (
            "CREATE OR REPLACE FUNCTION donors_gift_month_totals() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {_grouped_upsert_sql(new)} "
            f"ELSIF TG_OP = 'DELETE' THEN {_grouped_upsert_sql(old)} "
            f"ELSE {_grouped_upsert_sql(old, new)} END IF; "
            "RETURN NULL; END $$ LANGUAGE plpgsql;"
        ),
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = postgresql_function_sql() if vendor == "postgresql" else sqlite_trigger_sql()
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0015_stripe_events_queued"),
    ]

    operations = [
        # Going back leaves these triggers: they keep the same totals.
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
