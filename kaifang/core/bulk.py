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

`collector_paused` keeps Python's cyclic garbage collector out of one such operation.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
_NOTHING = object()  # a column with no value converted yet


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a block without automatic runs of the cyclic garbage collector. An import allocates tens
    of thousands of objects that live until it ends (rows, model instances, the listing), and each
    full collection walks every object of the process: about a fifth of an apply's time. Memory is
    still freed by reference counting as usual; collection resumes when the block ends (nested
    blocks leave it to the outermost one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        if _postgresql():
            result = _pg_execute(f"{head}SELECT * FROM UNNEST({_arrays(columns)}){tail}", _columns(columns, chunk))
        else:
            result = _execute(f"{head}VALUES {_value_rows(columns, len(chunk))}{tail}", _params(columns, chunk))
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
        if _postgresql():
            source = f"UNNEST({_arrays(all_fields)}) AS v({', '.join(aliases)})"
            _pg_execute(f"UPDATE {table} SET {assignments} FROM {source} {where}", _columns(all_fields, chunk))
        else:
            source = f"v({', '.join(aliases)}) AS (VALUES {_value_rows(all_fields, len(chunk))})"
            _execute(f"WITH {source} UPDATE {table} SET {assignments} FROM v {where}", _params(all_fields, chunk))
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


def _columns(fields: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Each column's values as `save()` would send them. A column of native values (`NATIVE`) goes
    as it is; in another, the very same object in many rows (the one `now` of a save in every
    row's timestamp) is converted once."""
    if any(len(row) != len(fields) for row in rows):
        raise ValueError("each row needs one value per column")
    conn = connections[DEFAULT_DB_ALIAS]  # the object itself: the `connection` proxy costs a lookup per value
    columns: list[list[Any]] = []
    for field, values in zip(fields, zip(*rows, strict=True), strict=True):
        native = {type(None), *NATIVE.get(_target(field).get_internal_type(), ())}
        if set(map(type, values)) <= native:
            columns.append(list(values))
            continue
        prep, last, sent = field.get_db_prep_save, _NOTHING, None
        converted: list[Any] = []
        for value in values:
            if type(value) in native:
                converted.append(value)
                continue
            if value is not last:
                last, sent = value, prep(value, conn)
            converted.append(sent)
        columns.append(converted)
    return columns


def _params(fields: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """The values of `_columns`, row after row (one placeholder each)."""
    return [value for row in zip(*_columns(fields, rows), strict=True) for value in row]


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


def _pg_execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run on the current connection and transaction with server-side binding: Django's cursor
    binds on the client, which would quote every array element into the statement text."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql.encode(), params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []
