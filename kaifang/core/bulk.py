"""Write many rows at once for the import's hot path: `insert_rows` (a multi-row `INSERT …
RETURNING`) and `update_columns` (an `UPDATE … FROM` a list of rows).

Django's `bulk_create` and `bulk_update` build an expression object per value (and a `CASE WHEN`
per row and column for updates), which costs more in Python than the database spends on the write:
for the 100 k-cell import in `bench/import_xlsx.py` it was about two thirds of the apply time.

On PostgreSQL the rows travel as one array per column (`UNNEST`), dumped in binary by a
server-side-binding cursor on the same connection and transaction: a handful of parameters to
parse and plan instead of tens of thousands. On SQLite they travel as a `VALUES` list.

Values go through each field's `get_db_prep_save`, exactly as `save()` would send them, except for
the types that method passes through unchanged (`NATIVE`). Callers are services inside their own
transaction; nothing here writes an audit record.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

MAX_ROWS_PER_STATEMENT = 5000

# Values of these Python types reach the driver unchanged through `get_db_prep_save` of these
# column types on both databases, so they skip it (a third of the apply's time when called for
# each of the import's 200 k values); dates, datetimes and anything else still go through it.
NATIVE: dict[str, tuple[type, ...]] = {
    "AutoField": (int,),
    "BigAutoField": (int,),
    "IntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "SmallIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "CharField": (str,),
    "TextField": (str,),
    "DecimalField": (Decimal,),
}


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Insert one row per tuple of `fields` values (no defaults are filled in: give every column
    that has no database default). Returns the new primary keys, in the order of `rows`."""
    if not rows:
        return []
    pk_field = _pk(model)
    columns = _fields(model, fields)
    if _portable():
        objects = [model(**{f.attname: v for f, v in zip(columns, row, strict=True)}) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=MAX_ROWS_PER_STATEMENT)
        return [obj.pk for obj in objects]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in columns)}) "
    tail = f" RETURNING {quote(str(pk_field.column))}"
    keys: list[Any] = []
    for chunk in _chunks(rows, len(columns)):
        params = _params(columns, chunk)
        if _postgresql():
            result = _pg_execute(f"{head}SELECT * FROM UNNEST({_arrays(columns)}){tail}", _by_column(params, columns))
        else:
            result = _execute(f"{head}VALUES {_value_rows(columns, len(chunk))}{tail}", params)
        keys.extend(key for (key,) in result)
    if len(keys) != len(rows):  # pragma: no cover - a database that drops rows silently
        raise RuntimeError("insert returned a different number of keys")
    return keys


def update_columns(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """For each `(pk, value_1, …, value_n)` in `rows`, set `fields` of that row. Returns rows sent.

    `fields` are model field names (a foreign key by its name, the value being the key).
    """
    if not rows:
        return 0
    pk_field = _pk(model)
    all_fields = [pk_field, *_fields(model, fields)]
    if _portable():
        objects = [model(**{f.attname: v for f, v in zip(all_fields, row, strict=True)}) for row in rows]
        model._default_manager.bulk_update(objects, [f.name for f in all_fields[1:]], batch_size=1000)
        return len(rows)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    aliases = [quote(f"c{n}") for n in range(len(all_fields))]
    assignments = ", ".join(
        f"{quote(str(field.column))} = v.{alias}" for field, alias in zip(all_fields[1:], aliases[1:], strict=True)
    )
    where = f"WHERE {table}.{quote(str(pk_field.column))} = v.{aliases[0]}"
    for chunk in _chunks(rows, len(all_fields)):
        params = _params(all_fields, chunk)
        if _postgresql():
            source = f"UNNEST({_arrays(all_fields)}) AS v({', '.join(aliases)})"
            _pg_execute(f"UPDATE {table} SET {assignments} FROM {source} {where}", _by_column(params, all_fields))
        else:
            source = f"v({', '.join(aliases)}) AS (VALUES {_value_rows(all_fields, len(chunk))})"
            _execute(f"WITH {source} UPDATE {table} SET {assignments} FROM v {where}", params)
    return len(rows)


def _pk(model: type[models.Model]) -> models.Field[Any, Any]:
    pk_field = model._meta.pk
    assert pk_field is not None
    return pk_field


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    fields: list[models.Field[Any, Any]] = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.concrete and not field.primary_key, name
        fields.append(field)
    return fields


def _target(field: models.Field[Any, Any]) -> models.Field[Any, Any]:
    return field.target_field if isinstance(field, models.ForeignKey) else field


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _portable() -> bool:
    """KAIFANG_BULK_SQL=orm: Django's own bulk_create / bulk_update instead of the hand-written SQL
    (the seam for a database whose backend is neither PostgreSQL's nor SQLite's, or a
    PostgreSQL-compatible one whose driver is not psycopg 3: KingbaseES, openGauss, DM)."""
    from django.conf import settings

    return getattr(settings, "KAIFANG_BULK_SQL", "auto") == "orm" or connection.vendor not in ("postgresql", "sqlite")


def _chunks(rows: Sequence[Sequence[Any]], width: int) -> list[Sequence[Sequence[Any]]]:
    size = MAX_ROWS_PER_STATEMENT
    if not _postgresql():  # one parameter per value
        size = max(1, min(size, (connection.features.max_query_params or 999) // width))
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _params(fields: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Each value as `save()` would send it, row after row."""
    params: list[Any] = []
    conn = connections[DEFAULT_DB_ALIAS]  # the object itself: the `connection` proxy costs a lookup per value
    columns = [(field.get_db_prep_save, NATIVE.get(_target(field).get_internal_type(), ())) for field in fields]
    append = params.append
    for row in rows:
        if len(row) != len(fields):
            raise ValueError("each row needs one value per column")
        for (prep, native), value in zip(columns, row, strict=True):
            append(value if value is None or type(value) in native else prep(value, conn))
    return params


def _value_rows(fields: list[models.Field[Any, Any]], count: int) -> str:
    return ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * count)


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _arrays(fields: list[models.Field[Any, Any]]) -> str:
    """One binary array parameter per column, typed without length or precision (as Django's own
    bulk insert does, so nothing is truncated on the way)."""
    return ", ".join(f"%b::{str(_target(f).db_type(connection)).split('(')[0]}[]" for f in fields)


def _by_column(params: list[Any], fields: list[models.Field[Any, Any]]) -> list[list[Any]]:
    width = len(fields)
    return [params[n::width] for n in range(width)]


def _pg_execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run on the current connection and transaction with server-side binding: Django's cursor
    binds on the client, which would quote every array element into the statement text."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql.encode(), params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []
