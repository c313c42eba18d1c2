"""The audit log's table without its two foreign-key constraints (PostgreSQL).

Every audit entry named its actor (a user) and its model (a content type) through a deferred
foreign key, so each entry cost two look-ups when its transaction committed: for an import's
hundred thousand gifts about a second, for a donor import's three hundred thousand entries
(donor, email, address) about three. Neither check protects anything here:

- entries are only ever written by django-auditlog and by ``common.audit`` /
  ``donors.imports.audit``, with the actor and content type of the moment;
- content types are never deleted by this project;
- deleting a user still clears ``actor_id`` on their entries: Django does that itself
  (``on_delete=SET_NULL``), not the constraint, and each entry also keeps ``actor_email``.

The columns, their indexes and Django's model are unchanged; only the database's constraint
goes. SQLite's foreign keys cost nothing like this and are left alone. The names are the ones
Django gave the constraints when django-auditlog's migrations created them (3.4.1, pinned);
``IF EXISTS`` keeps this harmless where one is already gone. Going back adds them again.
"""

from django.db import migrations

TABLE = "auditlog_logentry"
# (constraint, column, referenced table)
CONSTRAINTS = [
    ("auditlog_logentry_actor_id_959271d2_fk_auth_user_id", "actor_id", "auth_user"),
    ("auditlog_logentry_content_type_id_75830218_fk_django_co", "content_type_id",
     "django_content_type"),
]  # fmt: skip


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column, _table in CONSTRAINTS:
        schema_editor.execute(f'ALTER TABLE "{TABLE}" DROP CONSTRAINT IF EXISTS "{name}"')


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column, table in CONSTRAINTS:
        schema_editor.execute(
            f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}") '
            f'REFERENCES "{table}" ("id") DEFERRABLE INITIALLY DEFERRED'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_audit_entries_without_unused_indexes"),
    ]

    operations = [migrations.RunPython(drop, add)]
