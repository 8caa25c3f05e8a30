"""Move Arrow tables into the system of record fast, inside the caller's transaction.

SQLite takes multi-row `INSERT OR IGNORE` statements through the session's
own connection (one SQLite library in the process, one transaction);
PostgreSQL takes one `COPY` into a temporary table and one
`INSERT ... ON CONFLICT DO NOTHING`. Both return how many rows were new, so
that a natural-key duplicate is counted, never stored twice.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.storage.db import driver_connection

Progress = Callable[[int], None]
_SQLITE_MAX_VARIABLES = 32_766
_CHUNK_ROWS = 50_000


def insert_new_rows(
    session: Session,
    table: Table,
    rows: pa.Table,
    *,
    key: Sequence[str] = (),
    progress: Progress | None = None,
) -> int:
    """Insert `rows` into `table`, skipping rows whose `key` exists; return how many were new."""
    if rows.num_rows == 0:
        return 0
    unknown = [name for name in rows.column_names if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {', '.join(unknown)}")
    if key:
        rows = _first_of_each_key(rows, key)
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _insert_sqlite(driver_connection(session), table, rows, key, progress)
    return _insert_postgresql(driver_connection(session), table, rows, key, progress)


def _first_of_each_key(rows: pa.Table, key: Sequence[str]) -> pa.Table:
    """Drop later repeats of a key within the input itself."""
    numbered = rows.append_column("_position", pa.array(range(rows.num_rows), pa.int64()))
    firsts = numbered.group_by(list(key), use_threads=False).aggregate([("_position", "min")])
    if firsts.num_rows == rows.num_rows:
        return rows
    keep = pc.is_in(numbered["_position"], value_set=firsts["_position_min"])
    return rows.filter(keep)


def _as_text_or_number(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Turn dates, instants and booleans into the text/integers both databases store.

    Instants become UTC text `YYYY-MM-DD HH:MM:SS.ffffff` (the form SQLAlchemy
    itself stores in SQLite), dates `YYYY-MM-DD`, booleans 0/1. Converting in
    Arrow first is much faster than letting Python build datetime objects.
    """
    kind = column.type
    if pa.types.is_timestamp(kind):
        utc = column.cast(pa.timestamp("us", tz="UTC")) if kind.tz else column
        return utc.cast(pa.timestamp("us")).cast(pa.string())
    if pa.types.is_date(kind):
        return column.cast(pa.string())
    if pa.types.is_boolean(kind):
        return column.cast(pa.int8())
    return column


def _chunks(rows: pa.Table) -> Iterator[pa.Table]:
    for offset in range(0, rows.num_rows, _CHUNK_ROWS):
        yield rows.slice(offset, _CHUNK_ROWS)


def _insert_sqlite(
    raw: Any, table: Table, rows: pa.Table, key: Sequence[str], progress: Progress | None
) -> int:
    verb = "INSERT OR IGNORE" if key else "INSERT"
    # Counted per statement (`rowcount`: SQLite's changes(), this table's rows only), not by
    # `total_changes`, which also counts the rows triggers write (the reconciliation's queue).
    inserted = 0
    cursor = raw.cursor()
    for chunk in _chunks(rows):
        names = _columns_to_send(table, chunk)
        width = len(names)
        per_statement = max(1, min(64, _SQLITE_MAX_VARIABLES // width))
        quoted = ", ".join(f'"{name}"' for name in names)
        head = f'{verb} INTO "{table.name}" ({quoted}) VALUES '
        one = "(" + ",".join("?" * width) + ")"
        columns = [_as_text_or_number(chunk.column(name)).to_pylist() for name in names]
        flat = list(itertools.chain.from_iterable(zip(*columns, strict=True)))
        step = per_statement * width
        whole = len(flat) // step
        full_sql = head + ",".join([one] * per_statement)
        cursor.executemany(full_sql, (flat[i * step : (i + 1) * step] for i in range(whole)))
        inserted += max(cursor.rowcount, 0)
        rest = flat[whole * step :]
        if rest:
            cursor.execute(head + ",".join([one] * (len(rest) // width)), rest)
            inserted += max(cursor.rowcount, 0)
        if progress:
            progress(chunk.num_rows)
    cursor.close()
    return inserted


def _columns_to_send(table: Table, chunk: pa.Table) -> list[str]:
    """Return the chunk's columns less those all NULL that the table fills with NULL anyway.

    Binding a value costs SQLite time whether or not it is NULL; a column
    left out of the INSERT takes its default, so only a column without a
    server default may be left out.
    """
    names = [
        name
        for name in chunk.column_names
        if chunk.column(name).null_count < chunk.num_rows
        or table.c[name].server_default is not None
    ]
    return names or chunk.column_names[:1]


def _csv_bytes(rows: pa.Table) -> bytes:
    columns = [_as_text_or_number(rows.column(name)) for name in rows.column_names]
    buffer = io.BytesIO()
    pacsv.write_csv(
        pa.table(columns, names=rows.column_names),
        buffer,
        write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def _copy(cursor: Any, table: str, rows: pa.Table, progress: Progress | None) -> None:
    names = ", ".join(f'"{name}"' for name in rows.column_names)
    for chunk in _chunks(rows):
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN (FORMAT csv)') as copy:
            copy.write(_csv_bytes(chunk))
        if progress:
            progress(chunk.num_rows)


def _existing_keys(cursor: Any, table: str, rows: pa.Table, key: Sequence[str]) -> pa.Table:
    """Return the keys of `rows` already in `table` (through a temporary table of keys)."""
    stage = f"_keys_{table}"
    columns = ", ".join(f'"{name}"' for name in key)
    cursor.execute(f'DROP TABLE IF EXISTS "{stage}"')
    cursor.execute(f'CREATE TEMP TABLE "{stage}" AS SELECT {columns} FROM "{table}" WITH NO DATA')
    _copy(cursor, stage, rows.select(list(key)), None)
    join = " AND ".join(f't."{name}" = k."{name}"' for name in key)
    picked = ", ".join(f'k."{name}"' for name in key)
    cursor.execute(f'SELECT {picked} FROM "{stage}" k JOIN "{table}" t ON {join}')
    found = cursor.fetchall()
    cursor.execute(f'DROP TABLE "{stage}"')
    schema = rows.select(list(key)).schema
    return pa.Table.from_pylist([dict(zip(key, row, strict=True)) for row in found], schema=schema)


def _insert_postgresql(
    raw: Any, table: Table, rows: pa.Table, key: Sequence[str], progress: Progress | None
) -> int:
    """COPY the rows whose key is new straight into the table.

    An advisory lock per table (of the current schema: advisory locks are
    database-wide) serialises bulk loads of one table, so no other load can
    add a key between the check and the COPY.
    """
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))",
            (f":bulk:{table.name}",),
        )
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        if key:
            existing = _existing_keys(cursor, table.name, rows, key)
            if existing.num_rows:
                rows = rows.join(
                    existing.append_column("_found", pa.array([True] * existing.num_rows)),
                    keys=list(key),
                    join_type="left outer",
                )
                rows = rows.filter(pc.is_null(rows["_found"])).drop_columns(["_found"])
        _copy(cursor, table.name, rows, progress)
    return int(rows.num_rows)


def existing_values(session: Session, table: Table, column: str, values: Sequence[str]) -> set[str]:
    """Return which of `values` already stand in `table.column` (one round trip)."""
    if not values:
        return set()
    connection = session.connection()
    raw = driver_connection(session)
    if connection.dialect.name == "sqlite":
        cursor = raw.cursor()
        cursor.execute(
            f'SELECT "{column}" FROM "{table.name}" WHERE "{column}" IN '
            "(SELECT value FROM json_each(?))",
            (json.dumps(list(values)),),
        )
        found = {row[0] for row in cursor.fetchall()}
        cursor.close()
        return found
    with raw.cursor() as cursor:
        cursor.execute(
            f'SELECT "{column}" FROM "{table.name}" WHERE "{column}" = ANY(%s)', (list(values),)
        )
        return {row[0] for row in cursor.fetchall()}


def append_rows(
    session: Session, table: Table, rows: pa.Table, *, progress: Progress | None = None
) -> int:
    """Insert rows the caller knows are new (no conflict check): COPY straight into the table.

    The fast path for large loads whose keys were checked beforehand under a
    lock; a row that breaks a constraint fails the whole transaction.
    """
    if rows.num_rows == 0:
        return 0
    if session.connection().dialect.name == "sqlite":
        return _insert_sqlite(driver_connection(session), table, rows, (), progress)
    with driver_connection(session).cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        _copy(cursor, table.name, rows, progress)
    return int(rows.num_rows)


def update_rows(
    session: Session,
    table: Table,
    rows: pa.Table,
    *,
    key: Sequence[str],
    assignments: dict[str, str],
) -> int:
    """Update `table` from `rows` matched on `key`, set-based; return how many rows matched.

    `assignments` maps a column to an SQL expression over `t` (the table) and
    `s` (the staged rows), for example `{"balance_idr": "t.balance_idr + s.delta"}`.
    """
    if rows.num_rows == 0:
        return 0
    from sqlalchemy import Column, MetaData
    from sqlalchemy import Table as CoreTable

    connection = session.connection()
    stage_name = f"_update_{table.name}"
    stage = CoreTable(
        stage_name,
        MetaData(),
        *(Column(name, _stage_type(rows.schema.field(name).type)) for name in rows.column_names),
        prefixes=["TEMPORARY"],
    )
    stage.drop(connection, checkfirst=True)
    stage.create(connection)
    insert_new_rows(session, stage, rows)
    sets = ", ".join(f'"{column}" = {expression}' for column, expression in assignments.items())
    match = " AND ".join(f't."{name}" = s."{name}"' for name in key)
    from sqlalchemy import text

    result = connection.execute(
        text(f'UPDATE "{table.name}" AS t SET {sets} FROM "{stage_name}" AS s WHERE {match}')
    )
    stage.drop(connection)
    count: int = result.rowcount
    return count


def _stage_type(kind: pa.DataType) -> Any:
    from sqlalchemy import BigInteger, Boolean, Date, Text

    from prakerja.storage.base import UtcDateTime

    if pa.types.is_integer(kind):
        return BigInteger()
    if pa.types.is_timestamp(kind):
        return UtcDateTime()
    if pa.types.is_date(kind):
        return Date()
    if pa.types.is_boolean(kind):
        return Boolean()
    return Text()
