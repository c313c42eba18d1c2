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
        literal = "{" + ",".join(_array_item(str(v)) for v in values) + "}"
        cast = "text[]"
    return queryset.extra(where=[f'"{table}"."{column}" = ANY(%s::{cast})'], params=[literal])


def _array_item(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def id_array(ids) -> str:
    """Ids as one PostgreSQL array literal (for ``= ANY(%s::bigint[])`` or ``unnest``)."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


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
