"""Audit entries for what an import writes in bulk.

Bulk inserts and updates send no signal to django-auditlog, so an import writes the entries
itself, in bulk, the way the installed django-auditlog (3.4) stores them: ``changes`` maps each
field's name to ``[old, new]`` as text ("None" for no value, a foreign key as its id), a
creation from "None"; the actor is the user who ran the import and ``additional_data`` names
the import run. On PostgreSQL the entries go in with COPY (``rows_insert``) or are built by
the database from the stored rows (``created_in_database``).

The changes go in ``changes_text`` as JSON text, ``changes`` (jsonb) left empty: django-auditlog
reads them from there (``AUDITLOG_USE_TEXT_CHANGES_IF_JSON_IS_NOT_PRESENT``, set in the
settings), so the admin's entry pages, ``changes_dict`` and the donor's history show them as any
other entry. Parsing each entry into jsonb was a third of the entries' cost (0.45 s of 1.3 s for
a hundred thousand gifts), and nothing here queries an import's changes by key.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import DecimalField
from django.utils import timezone

from donors.imports.insert import rows_insert

# Values whose text needs no JSON escaping (digits, signs, dots, dashes, True/False).
_PLAIN = (int, Decimal, datetime.date, bool)

# Column types whose text in PostgreSQL holds no character JSON escapes.
_UNESCAPED = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "DecimalField", "DateField", "ForeignKey", "OneToOneField",
}  # fmt: skip

_COLUMNS = [
    "content_type_id", "object_pk", "object_id", "object_repr", "action", "changes", "actor_id",
    "actor_email", "timestamp", "additional_data", "cid", "changes_text",
]  # fmt: skip


def _text(value) -> str:
    """A value as a JSON string holding its text, as auditlog writes it (str of the value)."""
    if isinstance(value, _PLAIN):
        return f'"{value}"'
    return encode_basestring(str(value))


def tracked_fields(model) -> dict[str, str]:
    """attname -> the name auditlog records it under, for the fields auditlog tracks on
    ``model`` (its registration's include and exclude lists applied)."""
    settings = auditlog.get_model_fields(model)
    include, exclude = settings["include_fields"], settings["exclude_fields"]
    tracked = {}
    for model_field in model._meta.concrete_fields:
        if include and model_field.name not in include:
            continue
        if model_field.name in exclude:
            continue
        tracked[model_field.attname] = model_field.name
    return tracked


@dataclass
class BulkAudit:
    """The audit entries of one import run for one model, gathered, then written at once."""

    model: type
    run: object  # the ImportRun: its user is the actor, its id goes in additional_data
    rows: list[tuple] = field(default_factory=list)

    def __post_init__(self):
        self.content_type_id = ContentType.objects.get_for_model(self.model).pk
        self.tracked = tracked_fields(self.model)
        # Decimals as the database keeps them (2 places for money): "100.00", not "100".
        self.places = {
            f.attname: Decimal(1).scaleb(-f.decimal_places)
            for f in self.model._meta.concrete_fields
            if isinstance(f, DecimalField)
        }
        user = self.run.user
        self.actor_id = user.pk if user else None
        self.actor_email = getattr(user, "email", None) if user else None
        self.now = timezone.now()
        self.additional = json.dumps({"import_run": self.run.pk})
        self.cid = get_cid()
        # A created record's fields that every record of this run shares (defaults the import
        # leaves alone), written into each creation's changes as one piece of text.
        self._shared_text = ""

    def creations_share(self, values: dict) -> None:
        """Values (by attname) every record created by this run has: their text is made once."""
        parts = []
        for attname, value in values.items():
            name = self.tracked.get(attname)
            if name is None or value is None or value == "":
                continue
            parts.append(f'"{name}": ["None", {_text(self._stored(attname, value))}]')
        self._shared_text = ", ".join(parts)

    def created(self, pk: int, label: str, names: tuple[str, ...], values) -> None:
        """A record created with these values (``names``: attnames, in the order of ``values``),
        beside the shared ones."""
        tracked, places = self.tracked, self.places
        parts = [f'"id": ["None", "{pk}"]'] if "id" in tracked else []
        for attname, value in zip(names, values, strict=True):
            if value is None or value == "" or attname not in tracked:
                continue
            if attname in places:
                value = value.quantize(places[attname])
            parts.append(f'"{tracked[attname]}": ["None", {_text(value)}]')
        if self._shared_text:
            parts.append(self._shared_text)
        self._add(pk, label, LogEntry.Action.CREATE, "{" + ", ".join(parts) + "}")

    def created_in_database(
        self,
        *,
        where: str,
        params: list,
        label_sql: str,
        joins: str = "",
        columns: list[str] | None = None,
    ) -> int:
        """PostgreSQL: the creation entries of the records that ``where`` selects (SQL over the
        model's table as ``t``), built by the database from the rows as stored: no row comes
        back to Python and none goes out again (for a hundred thousand gifts, seconds less than
        ``created``). ``label_sql`` is the entry's object_repr as SQL (the model's __str__);
        ``joins`` joins what it reads. ``columns`` (attnames), when given, are the only ones
        read from each row: every other field took the value given to ``creations_share``,
        whose text is written into each entry as it is (the database builds a third of the
        text it would otherwise). How many entries were written."""
        quote = connection.ops.quote_name
        # The changes as JSON text, parsed once per row: a pair for each field that has a value
        # (concat_ws leaves out the NULLs; an empty text is no value either, as in
        # ``created``). Building it with jsonb_build_object and jsonb_build_array, a jsonb
        # value per field then the object, cost five times as much.
        pk_attname = self.model._meta.pk.attname
        pairs = []
        for model_field in self.model._meta.concrete_fields:
            name = self.tracked.get(model_field.attname)
            if name is None:
                continue
            if columns is not None and model_field.attname not in (pk_attname, *columns):
                continue
            column = f"t.{quote(model_field.column)}"
            kind = model_field.get_internal_type()
            if kind in ("BooleanField", "NullBooleanField"):
                value = f"CASE WHEN {column} THEN '\"True\"' ELSE '\"False\"' END"
            elif kind == "DateTimeField":  # naive UTC, as auditlog writes it
                value = f"'\"' || ({column} AT TIME ZONE 'UTC')::text || '\"'"
            elif kind in _UNESCAPED:  # digits, signs, dots, dashes: no escaping needed
                value = f"'\"' || {column}::text || '\"'"
            else:  # an empty text is no value: left out, as NULL is
                value = f"to_json(NULLIF({column}::text, ''))::text"
            pairs.append(f"""'{json.dumps(name)}: ["None", ' || {value} || ']'""")
        shared = []
        if columns is not None and self._shared_text:
            pairs.append("%s")
            shared = [self._shared_text]
        objects = "'{' || concat_ws(', ', " + ", ".join(pairs) + ") || '}'"
        table = quote(self.model._meta.db_table)
        pk = quote(self.model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {quote(LogEntry._meta.db_table)} (
                    content_type_id, object_pk, object_id, object_repr, action, changes,
                    actor_id, actor_email, timestamp, additional_data, cid, changes_text
                )
                SELECT %s, t.{pk}::text, t.{pk}, {label_sql}, %s, NULL,
                       %s, %s, %s, %s::jsonb, %s, {objects}
                FROM {table} t {joins}
                WHERE {where}
                """,
                [
                    self.content_type_id, LogEntry.Action.CREATE, self.actor_id,
                    self.actor_email, self.now, self.additional, self.cid, *shared, *params,
                ],
            )  # fmt: skip
            return cursor.rowcount

    def changed(self, pk: int, label: str, old: dict, new: dict) -> bool:
        """A record changed from ``old`` to ``new`` (by attname); nothing is written when no
        tracked field's text differs. Whether an entry was added."""
        changes = {}
        for attname, value in new.items():
            name = self.tracked.get(attname)
            if name is None:
                continue
            before, after = self._stored(attname, old.get(attname)), self._stored(attname, value)
            if before != after:
                changes[name] = [before, after]
        if not changes:
            return False
        self._add(pk, label, LogEntry.Action.UPDATE, json.dumps(changes))
        return True

    def _stored(self, attname: str, value) -> str:
        if value is not None and attname in self.places:
            value = Decimal(value).quantize(self.places[attname])
        return str(value)

    def _add(self, pk: int, label: str, action: int, changes: str) -> None:
        # The changes as text in changes_text, changes (jsonb) empty: see the module's doc.
        self.rows.append((
            self.content_type_id, str(pk), pk, label, action, None, self.actor_id,
            self.actor_email, self.now, self.additional, self.cid, changes,
        ))  # fmt: skip

    def write(self) -> int:
        """Write the gathered entries; how many."""
        rows = self.rows
        if not rows:
            return 0
        if connection.vendor != "postgresql":
            # bulk_create goes through the JSON field, which wants the value, not its text.
            rows = [(*r[:9], json.loads(r[9]), *r[10:]) for r in rows]
        rows_insert(LogEntry, rows, columns=_COLUMNS)
        self.rows = []
        return len(rows)
