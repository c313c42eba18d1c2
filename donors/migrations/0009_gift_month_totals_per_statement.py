"""PostgreSQL: the gift month totals kept by one trigger run per statement (over its transition
tables) instead of one per row; the totals themselves are unchanged. SQLite keeps its per-row
triggers."""

from django.db import migrations

from donors.services import month_totals


def per_statement(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in month_totals.trigger_sql("postgresql"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0008_organization_logo_gift_low_cost_article"),
    ]

    operations = [
        # Going back leaves the per-statement triggers: they keep the same totals.
        migrations.RunPython(per_statement, migrations.RunPython.noop),
    ]
