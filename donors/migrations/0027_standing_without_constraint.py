"""A donor's standing keeps no foreign-key constraint in PostgreSQL (see DonorStanding.donor).

On SQLite the table is left as it is: rebuilding it would drop the triggers that keep the
giving summary, and the constraint costs nothing that matters there.
"""

import django.db.models.deletion
from django.db import migrations, models

DROP = """
DO $$
DECLARE name text;
BEGIN
    FOR name IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = 'donors_donorstanding'::regclass AND contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE donors_donorstanding DROP CONSTRAINT %I', name);
    END LOOP;
END $$;
"""

ADD = (
    "ALTER TABLE donors_donorstanding ADD CONSTRAINT donorstanding_donor_fk "
    "FOREIGN KEY (donor_id) REFERENCES donors_donor (id) DEFERRABLE INITIALLY DEFERRED"
)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0026_outreach"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="donorstanding",
                    name="donor",
                    field=models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="standing",
                        serialize=False,
                        to="donors.donor",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, add)],
        ),
    ]
