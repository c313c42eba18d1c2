"""PostgreSQL: drop the text-pattern ("_like") indexes Django adds beside every indexed or unique
text column of gifts and donors. They serve only ``LIKE 'prefix%'`` look-ups, which nothing
here makes (ids, fingerprints, statuses and check numbers are matched exactly, names with
``icontains``), and each one costs time on every insert: an import of 100,000 gifts wrote seven
of them. The plain indexes and unique constraints stay.

Should a later migration alter one of these fields, Django drops its "_like" index with
``IF EXISTS`` and may add it back; this migration can then be repeated."""

from django.db import migrations

TABLES = ("donors_gift", "donors_donor")


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname LIKE %s",
            [list(TABLES), r"%\_like"],
        )
        names = [row[0] for row in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0010_importrun_kind_rsvps"),
    ]

    operations = [
        migrations.RunPython(drop_like_indexes, migrations.RunPython.noop),
    ]
