"""What a 100,000-gift import paid for at commit and in its indexes that protected nothing.

- A gift's import run, appeal and thanking user, and a donor's yearly totals keep no
  foreign-key constraint in PostgreSQL (see Gift.import_run, Gift.appeal, Gift.thanked_by and
  DonorYearTotal.donor): each was checked at commit once per row written, empty or not, about
  0.5 s for the yearly totals and the run and 0.13 s for each empty one, per 100,000 gifts.
  Django still protects, clears or deletes them itself (on_delete) when an appeal, a run, a
  user or a donor is deleted, and every write goes through the services.
- The standings lose their LYBUNT index: the lifetime index serves both lapsed lists.
- A gift's status is indexed only where it is not "succeeded" (gift_status_idx): the index of
  every gift's status entered 100,000 identical values per import for look-ups that are all for
  the other statuses.

On SQLite the tables are left as they are: changing a foreign key there rebuilds the table,
which would drop the gift table's month-total triggers, and the checks cost nothing that
matters there. The SQL finds the constraints by column, whatever name Django gave them; going
back adds them again under names of its own.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, referenced table)
CONSTRAINTS = [
    ("donors_gift", "import_run_id", "donors_importrun"),
    ("donors_gift", "appeal_id", "donors_appeal"),
    ("donors_gift", "thanked_by_id", "auth_user"),
    ("donors_donoryeartotal", "donor_id", "donors_donor"),
]

DROP = """
DO $$
DECLARE name text;
BEGIN
    FOR name IN
        SELECT c.conname FROM pg_constraint AS c
        JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f' AND a.attname = '{column}'
    LOOP
        EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', name);
    END LOOP;
END $$;
"""

# Django's names for the status index it made (db_index=True), dropped by name on both
# databases (no table rebuild on SQLite).
STATUS_INDEXES = ["donors_gift_status_6a51e3e2", "donors_gift_status_6a51e3e2_like"]

ADD = (
    "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) "
    "REFERENCES {referenced} (id) DEFERRABLE INITIALLY DEFERRED"
)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _referenced in CONSTRAINTS:
        schema_editor.execute(DROP.format(table=table, column=column), params=None)


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, referenced in CONSTRAINTS:
        sql = ADD.format(table=table, column=column, referenced=referenced)
        schema_editor.execute(sql, params=None)


def status_index_drop(apps, schema_editor):
    for name in STATUS_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


def status_index_add(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX {STATUS_INDEXES[0]} ON donors_gift (status)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0028_mailings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="donorstanding",
            name="donorstanding_lapsed_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="donoryeartotal",
                    name="donor",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="year_totals",
                        to="donors.donor",
                    ),
                ),
                migrations.AlterField(
                    model_name="gift",
                    name="appeal",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="gifts",
                        to="donors.appeal",
                    ),
                ),
                migrations.AlterField(
                    model_name="gift",
                    name="thanked_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        help_text="Empty when the system thanked the donor (the email sent at once).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="gift",
                    name="import_run",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="gifts",
                        to="donors.importrun",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, add)],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="gift",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("succeeded", "Succeeded"),
                            ("refunded", "Refunded"),
                            ("partially_refunded", "Partially refunded"),
                            ("disputed", "Disputed"),
                            ("failed", "Failed"),
                        ],
                        default="succeeded",
                        max_length=20,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(status_index_drop, status_index_add)],
        ),
        migrations.AddIndex(
            model_name="gift",
            index=models.Index(
                condition=models.Q(("status", "succeeded"), _negated=True),
                fields=["status"],
                name="gift_status_idx",
            ),
        ),
    ]
