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
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Table
from sqlalchemy.orm import Session

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
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _insert_sqlite(connection.connection.driver_connection, table, rows, key, progress)
    return _insert_postgresql(connection.connection.driver_connection, table, rows, key, progress)


def _sqlite_values(column: pa.ChunkedArray) -> list[Any]:
    """Convert a column to the Python values SQLAlchemy itself stores in SQLite."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        utc = column.cast(pa.timestamp("us", tz="UTC"))
        return pc.strftime(utc, format="%Y-%m-%d %H:%M:%S").to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_date(kind):
        return column.cast(pa.string()).to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_boolean(kind):
        return column.cast(pa.int8()).to_pylist()  # type: ignore[no-any-return]
    return column.to_pylist()  # type: ignore[no-any-return]


def _chunks(rows: pa.Table) -> Iterator[pa.Table]:
    for offset in range(0, rows.num_rows, _CHUNK_ROWS):
        yield rows.slice(offset, _CHUNK_ROWS)


def _insert_sqlite(
    raw: Any, table: Table, rows: pa.Table, key: Sequence[str], progress: Progress | None
) -> int:
    names = rows.column_names
    width = len(names)
    per_statement = max(1, min(64, _SQLITE_MAX_VARIABLES // width))
    verb = "INSERT OR IGNORE" if key else "INSERT"
    quoted = ", ".join(f'"{name}"' for name in names)
    head = f'{verb} INTO "{table.name}" ({quoted}) VALUES '
    one = "(" + ",".join("?" * width) + ")"
    full_sql = head + ",".join([one] * per_statement)
    before = raw.total_changes
    cursor = raw.cursor()
    for chunk in _chunks(rows):
        flat = list(
            itertools.chain.from_iterable(
                zip(*(_sqlite_values(chunk.column(name)) for name in names), strict=True)
            )
        )
        step = per_statement * width
        whole = len(flat) // step
        cursor.executemany(full_sql, (flat[i * step : (i + 1) * step] for i in range(whole)))
        rest = flat[whole * step :]
        if rest:
            cursor.execute(head + ",".join([one] * (len(rest) // width)), rest)
        if progress:
            progress(chunk.num_rows)
    cursor.close()
    return int(raw.total_changes - before)


def _csv_bytes(rows: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(
        rows,
        buffer,
        write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def _insert_postgresql(
    raw: Any, table: Table, rows: pa.Table, key: Sequence[str], progress: Progress | None
) -> int:
    names = ", ".join(f'"{name}"' for name in rows.column_names)
    stage = f"_stage_{table.name}"
    with raw.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{stage}"')
        cursor.execute(
            f'CREATE TEMP TABLE "{stage}" AS SELECT {names} FROM "{table.name}" WITH NO DATA'
        )
        for chunk in _chunks(rows):
            with cursor.copy(f'COPY "{stage}" ({names}) FROM STDIN (FORMAT csv)') as copy:
                copy.write(_csv_bytes(chunk))
            if progress:
                progress(chunk.num_rows)
        conflict = f" ON CONFLICT ({', '.join(key)}) DO NOTHING" if key else ""
        cursor.execute(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{stage}"{conflict}'
        )
        inserted = cursor.rowcount
        cursor.execute(f'DROP TABLE "{stage}"')
    return int(inserted)


def append_rows(
    session: Session, table: Table, rows: pa.Table, *, progress: Progress | None = None
) -> int:
    """Insert rows the caller knows are new (no conflict check): COPY straight into the table.

    The fast path for large loads whose keys were checked beforehand under a
    lock; a row that breaks a constraint fails the whole transaction.
    """
    if rows.num_rows == 0:
        return 0
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return _insert_sqlite(raw, table, rows, (), progress)
    names = ", ".join(f'"{name}"' for name in rows.column_names)
    with raw.cursor() as cursor:
        for chunk in _chunks(rows):
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT csv)') as copy:
                copy.write(_csv_bytes(chunk))
            if progress:
                progress(chunk.num_rows)
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
