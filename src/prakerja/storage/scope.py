"""Keys staged in a temporary table of the session's connection, for reads that join them.

A scoped read (the daily reconciliation's) names a few thousand cards out of
millions: it stages them once and every reader joins the staged table,
which both SQLite and PostgreSQL plan as a semi-join on the reader's index.
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
