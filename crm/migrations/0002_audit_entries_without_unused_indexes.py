"""The audit log's table without the four indexes nothing reads.

An import writes one audit entry per gift it creates or changes, and each entry was entered into
ten indexes. Nothing in the product looks entries up by ``action`` (the admin's filter on it
reads the newest entries by ``timestamp``, which is indexed) or by ``object_pk`` (every
record here has an integer key, and django-auditlog itself looks those up by ``object_id``, as
the donor's history does), and nothing searches ``cid`` or ``object_pk`` with LIKE, which is
all the ``_like`` copies PostgreSQL keeps are for. The index on ``cid`` stays: the audit
admin's "this request" link filters on it.

The names are the ones Django gave these indexes when django-auditlog's migrations created
them (django-auditlog 3.4.1, pinned in requirements/lock.txt); ``IF EXISTS`` keeps this
harmless on a database where one was already gone. Going back creates them again.
"""

from django.db import migrations

# (index, column, PostgreSQL-only pattern index)
INDEXES = [
    ("auditlog_logentry_action_229afe39", "action", False),
    ("auditlog_logentry_object_pk_6e3219c0", "object_pk", False),
    ("auditlog_logentry_object_pk_6e3219c0_like", "object_pk", True),
    ("auditlog_logentry_cid_9f467263_like", "cid", True),
]


def drop(apps, schema_editor):
    for name, _column, postgresql_only in INDEXES:
        if postgresql_only and schema_editor.connection.vendor != "postgresql":
            continue
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, column, postgresql_only in INDEXES:
        if postgresql_only and not postgresql:
            continue
        pattern = " varchar_pattern_ops" if postgresql_only else ""
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "auditlog_logentry" ("{column}"{pattern})'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_cache_table"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(drop, create)]
