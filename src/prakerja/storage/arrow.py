"""Read query results from the system of record as Arrow tables, for set-based work.

Every read runs on the session's own connection, inside its transaction (it
sees what the session wrote and not yet committed), and keeps the
statement's order. PostgreSQL streams the result with `COPY ... TO STDOUT`
and Arrow parses it. SQLite builds each column as one JSON array in C
(`json_group_array`) and Arrow parses the text, so no Python object is made
per value; a result larger than `_SQLITE_JSON_BYTES` of text, or wider than
SQLite lets one function call take, is handed over as rows in large batches
instead. Either way the caller gets columns typed by the schema it asked
for, ready for DuckDB or Arrow compute.
"""

from __future__ import annotations

import io
import sqlite3
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
from sqlalchemy import Executable
from sqlalchemy.orm import Session

from prakerja.storage.db import driver_connection

_BATCH = 100_000


def compile_sql(session: Session, statement: Executable) -> str:
    """Render a statement as SQL text for the session's database, parameters inlined."""
    dialect = session.get_bind().dialect
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]


def fetch_arrow(session: Session, statement: Executable, schema: pa.Schema) -> pa.Table:
    """Run a SELECT whose columns are those of `schema`, in order; return an Arrow table."""
    sql = compile_sql(session, statement)
    connection = session.connection()
    raw = driver_connection(session)
    if connection.dialect.name == "sqlite":
        return _fetch_sqlite(raw, sql, schema)
    return _fetch_postgresql(raw, sql, schema)


#: The most JSON text one SQLite read may build; a larger result is read as rows instead.
_SQLITE_JSON_BYTES = 64 * 1024 * 1024
#: `json_object` takes two arguments per column; SQLite allows 127 arguments per call.
_SQLITE_JSON_COLUMNS = 63


def _fetch_sqlite(raw: sqlite3.Connection, sql: str, schema: pa.Schema) -> pa.Table:
    text = _sqlite_json(raw, sql, len(schema))
    if text is None:
        return _fetch_sqlite_rows(raw, sql, schema)
    parsed = pajson.read_json(
        io.BytesIO(text),
        read_options=pajson.ReadOptions(block_size=len(text) + 1),
        parse_options=pajson.ParseOptions(
            explicit_schema=pa.schema(
                [
                    pa.field(f"c{position}", pa.list_(_sqlite_type(field.type)))
                    for position, field in enumerate(schema)
                ]
            )
        ),
    )
    columns = [
        _sqlite_values(parsed.column(position).chunk(0).flatten(), field.type)
        for position, field in enumerate(schema)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _sqlite_json(raw: sqlite3.Connection, sql: str, width: int) -> bytes | None:
    """Return the result as one JSON object of column arrays, or None when it is too large."""
    if width > _SQLITE_JSON_COLUMNS:
        return None
    names = [f"c{position}" for position in range(width)]
    arrays = ", ".join(f"'{name}', json_group_array({name})" for name in names)
    query = (
        f"WITH result({', '.join(names)}) AS ({sql}) "
        f"SELECT CAST(json_object({arrays}) AS BLOB) FROM result"
    )
    limit = raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _SQLITE_JSON_BYTES)
    try:
        ((text,),) = raw.execute(query).fetchall()
    except sqlite3.DataError:  # "string or blob too big": more than the JSON path may hold
        return None
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    assert isinstance(text, bytes)
    return text


def _fetch_sqlite_rows(raw: sqlite3.Connection, sql: str, schema: pa.Schema) -> pa.Table:
    cursor = raw.cursor()
    cursor.execute(sql)
    batches: list[pa.RecordBatch] = []
    while rows := cursor.fetchmany(_BATCH):
        columns = list(zip(*rows, strict=True))
        arrays = [
            _sqlite_values(pa.array(values, _sqlite_type(field.type)), field.type)
            for values, field in zip(columns, schema, strict=True)
        ]
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    cursor.close()
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches, schema=schema)


def _sqlite_type(kind: pa.DataType) -> pa.DataType:
    """The type SQLite hands a value of `kind` over as: dates and instants as text."""
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return pa.string()
    if pa.types.is_boolean(kind):
        return pa.int8()
    return kind


def _sqlite_values(values: pa.Array, kind: pa.DataType) -> pa.Array:
    """Turn values as SQLite gave them (see `_sqlite_type`) into `kind`."""
    if pa.types.is_timestamp(kind):
        return values.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC")).cast(kind)
    if values.type != kind:
        return values.cast(kind)
    return values


def _fetch_postgresql(raw: Any, sql: str, schema: pa.Schema) -> pa.Table:
    buffer = io.BytesIO()
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    if buffer.tell() == 0:
        return schema.empty_table()
    buffer.seek(0)
    text_schema = {field.name: _csv_type(field.type) for field in schema}
    table = pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=schema.names),
        convert_options=pacsv.ConvertOptions(
            column_types=text_schema,
            true_values=["t"],
            false_values=["f"],
            null_values=[""],  # COPY's NULL: an unquoted empty field (not Arrow's "NULL", "NA"...)
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            timestamp_parsers=["%Y-%m-%d %H:%M:%S%z", pacsv.ISO8601],
        ),
    )
    return table.cast(schema)


def _csv_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_timestamp(kind):
        return pa.timestamp("us", tz="UTC")
    return kind
