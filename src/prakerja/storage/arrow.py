"""Read query results from the system of record as Arrow tables, for set-based work.

PostgreSQL streams the result with `COPY ... TO STDOUT` and Arrow parses
it; SQLite hands its rows over through the session's connection in large
batches. Either way the caller gets columns typed by the schema it asked
for, ready for DuckDB or Arrow compute, without one Python object per row
surviving the call.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
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


def _fetch_sqlite(raw: Any, sql: str, schema: pa.Schema) -> pa.Table:
    cursor = raw.cursor()
    cursor.execute(sql)
    batches: list[pa.RecordBatch] = []
    while rows := cursor.fetchmany(_BATCH):
        columns = list(zip(*rows, strict=True))
        arrays = [
            _sqlite_column(values, field.type)
            for values, field in zip(columns, schema, strict=True)
        ]
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    cursor.close()
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches, schema=schema)


def _sqlite_column(values: tuple[Any, ...], kind: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(kind):
        text = pa.array(values, pa.string())
        return text.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC")).cast(kind)
    if pa.types.is_date(kind):
        return pa.array(values, pa.string()).cast(kind)
    if pa.types.is_boolean(kind):
        return pa.array(values, pa.int8()).cast(kind)
    return pa.array(values, kind)


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


#: Above this many keys, `fetch_arrow_matching` reads the whole table and filters in Arrow.
_WHOLE_TABLE_ABOVE = 4_000
_IN_CHUNK = 2_000


def fetch_arrow_matching(
    session: Session,
    statement: Any,
    column: Any,
    values: pa.Array,
    schema: pa.Schema,
) -> pa.Table:
    """Run a SELECT restricted to rows whose `column` is in `values`; return an Arrow table.

    A few keys are looked up with `IN` lists (by index); many keys read the
    whole result once and keep the matching rows, which is faster than
    thousands of lookups. The key column must be the first of `schema`.
    """
    import pyarrow.compute as pc

    keys = pc.unique(pc.drop_null(values))
    if len(keys) == 0:
        return schema.empty_table()
    if len(keys) > _WHOLE_TABLE_ABOVE:
        whole = fetch_arrow(session, statement, schema)
        return whole.filter(pc.is_in(whole.column(0), value_set=keys))
    parts = [
        fetch_arrow(
            session,
            statement.where(column.in_(keys.slice(start, _IN_CHUNK).to_pylist())),
            schema,
        )
        for start in range(0, len(keys), _IN_CHUNK)
    ]
    return pa.concat_tables(parts)
