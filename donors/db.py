"""Queries over many keys at once, fast on PostgreSQL."""

from __future__ import annotations

from django.db import connection, transaction


def where_in(queryset, field: str, values):
    """``field__in=values``, unordered (the callers collect what it finds: sorting it by the
    model's order only costs); on PostgreSQL as ``= ANY(array)``: one parameter instead of
    thousands, which Django and the driver would otherwise process one by one."""
    values = list(values)
    queryset = queryset.order_by()
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": values})
    model = queryset.model
    model_field = model._meta.get_field(field)
    column = model_field.column
    table = model._meta.db_table
    # The array as one literal: psycopg adapts a list value by value, seconds per 100,000.
    if model_field.get_internal_type() in {"AutoField", "BigAutoField", "ForeignKey",
                                           "IntegerField", "BigIntegerField"}:  # fmt: skip
        literal, cast = id_array(values), "bigint[]"
    else:
        literal, cast = text_array(values), "text[]"
    return queryset.extra(where=[f'"{table}"."{column}" = ANY(%s::{cast})'], params=[literal])


def text_array(values) -> str:
    """Texts as one PostgreSQL array literal (for ``= ANY(%s::text[])``): each quoted, its
    quotes and backslashes escaped (in one pass over the joined text when it has none)."""
    texts = [str(v) for v in values]
    joined = '","'.join(texts)
    if "\\" in joined or '"' in joined:
        joined = '","'.join(t.replace("\\", "\\\\").replace('"', '\\"') for t in texts)
    return '{"' + joined + '"}' if texts else "{}"


def id_array(ids) -> str:
    """Ids as one PostgreSQL array literal (for ``= ANY(%s::bigint[])`` or ``unnest``)."""
    ids = list(ids)
    if not all(type(i) is int for i in ids):
        ids = [int(i) for i in ids]
    return "{" + ",".join(map(str, ids)) + "}"


def triggers_ensure(*, present: bool, statements, rebuild) -> bool:
    """Recreate a kept figure's triggers (``statements``, SQL) and recount it (``rebuild()``)
    when they are not ``present``, in one transaction. Run after every migrate: on SQLite,
    Django alters a table by copying it into a new one, which silently drops the old table's
    triggers. Whether anything was repaired."""
    if present:
        return False
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        rebuild()
    return True
