"""Keys staged in a temporary table of the session's connection, for reads that join them.

A scoped read (the daily reconciliation's) names a few thousand cards out of
millions: it stages them once and every reader joins the staged table,
which both SQLite and PostgreSQL plan as a semi-join on the reader's index.
A read by a few keys names them in `IN` lists instead (`fetch_arrow_matching`).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Column, MetaData, Table, Text, select, text
from sqlalchemy.orm import Session

from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.bulk import append_rows


def stage_keys(session: Session, *, name: str, keys: pa.Table) -> Table:
    """Stage `keys` (text columns, no NULLs expected) as the temporary table `name`; return it.

    The table replaces any earlier one of that name on the connection and
    lasts as long as the connection (the next stage of the name replaces it).
    """
    connection = session.connection()
    staged = Table(
        name,
        MetaData(),
        *(Column(column, Text()) for column in keys.column_names),
        prefixes=["TEMPORARY"],
    )
    temporary = "pg_temp" if connection.dialect.name == "postgresql" else "temp"
    connection.execute(text(f'DROP TABLE IF EXISTS {temporary}."{name}"'))
    staged.create(connection)
    text_keys = keys.cast(pa.schema([(column, pa.string()) for column in keys.column_names]))
    append_rows(session, staged, text_keys)
    if connection.dialect.name == "postgresql":
        connection.execute(text(f'ANALYZE "{name}"'))
    return staged


#: Up to this many keys `fetch_arrow_matching` names them in `IN` lists; more are staged.
IN_LIST_KEYS = 4_000
_IN_CHUNK = 2_000


def fetch_arrow_matching(
    session: Session, statement: Any, column: Any, values: pa.Array, schema: pa.Schema
) -> pa.Table:
    """Run a SELECT restricted to rows whose `column` is in `values`; return an Arrow table.

    A few keys are looked up in `IN` lists (by index, nothing staged); more
    text keys are staged and joined (`fetch_staged`), so the read costs the
    rows it names, never the whole table, which grows with the program (an
    events file of 6,600 rows read every stored event of its platform).
    Keys that are not text (days) are few by nature; past the lists, the
    whole result is read once and filtered. The key column must be the first
    of `schema`.
    """
    keys = pc.unique(pc.drop_null(values))
    if len(keys) == 0:
        return schema.empty_table()
    if len(keys) > IN_LIST_KEYS:
        if pa.types.is_string(keys.type) or pa.types.is_large_string(keys.type):
            return fetch_staged(session, statement, column, keys, schema)
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


def fetch_staged(
    session: Session, statement: Any, column: Any, values: pa.Array, schema: pa.Schema
) -> pa.Table:
    """Run a SELECT restricted to rows whose `column` is among `values` (text keys).

    The keys are staged (as `staged_<column>`) and joined: a semi-join on the
    column's index however many they are.
    """
    keys = pc.unique(pc.drop_null(values.cast(pa.string())))
    if len(keys) == 0:
        return schema.empty_table()
    name = f"staged_{column.key}"
    staged = stage_keys(session, name=name, keys=pa.table({"key": keys}))
    return fetch_arrow(session, statement.where(column.in_(select(staged.c.key))), schema)
