"""The audit log's look-ups by record through one index instead of two, and its ``cid`` index
holding only the entries that have one.

Every look-up of a record's entries names its model and its id together (django-auditlog's
``get_for_object``, the donor's history, the event's audit page), so one index on
(content type, object id) serves them all, and a look-up by model alone uses its first column.
The separate indexes on ``content_type_id`` and ``object_id`` go. The ``cid`` index (the audit
admin's "this request" link) keeps only entries written inside a request: an import's or a
task's hundred thousand entries have none. Each entry an import writes goes into two indexes
fewer.

The dropped names are the ones Django gave these indexes when django-auditlog's migrations
created them (django-auditlog 3.4.1, pinned in requirements/lock.txt); ``IF EXISTS`` keeps
this harmless where one is already gone. Going back restores them.
"""

from django.db import migrations

TABLE = "auditlog_logentry"

FORWARD = [
    'DROP INDEX IF EXISTS "auditlog_logentry_content_type_id_75830218"',
    'DROP INDEX IF EXISTS "auditlog_logentry_object_id_09c2eee8"',
    'DROP INDEX IF EXISTS "auditlog_logentry_cid_9f467263"',
    f'CREATE INDEX IF NOT EXISTS "auditlog_entry_object_idx" ON "{TABLE}" '
    '("content_type_id", "object_id")',
    f'CREATE INDEX IF NOT EXISTS "auditlog_entry_cid_idx" ON "{TABLE}" ("cid") '
    'WHERE "cid" IS NOT NULL',
]

BACKWARD = [
    'DROP INDEX IF EXISTS "auditlog_entry_object_idx"',
    'DROP INDEX IF EXISTS "auditlog_entry_cid_idx"',
    f'CREATE INDEX IF NOT EXISTS "auditlog_logentry_content_type_id_75830218" ON "{TABLE}" '
    '("content_type_id")',
    f'CREATE INDEX IF NOT EXISTS "auditlog_logentry_object_id_09c2eee8" ON "{TABLE}" ("object_id")',
    f'CREATE INDEX IF NOT EXISTS "auditlog_logentry_cid_9f467263" ON "{TABLE}" ("cid")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0005_donor_sign_in"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
