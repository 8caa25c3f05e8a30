"""The reconciliation engine: every break condition of a day, as SQL over Arrow in DuckDB.

`evaluate` is a pure function of the facts and the day: it returns one row
per break condition that holds, whatever was found before. The SQL lives in
`sql/*.sql` (DuckDB's dialect, plain enough for SQLGlot to carry to another
engine); this module only registers the Arrow tables and runs the files.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa

from prakerja.config import get_settings
from prakerja.reconciliation.sources import Facts

CONDITIONS = pa.schema(
    [
        ("break_type", pa.string()),
        ("break_key", pa.string()),
        ("partner_code", pa.string()),
        ("batch_id", pa.string()),
        ("instruction_id", pa.string()),
        ("partner_txn_id", pa.string()),
        ("voucher_code", pa.string()),
        ("card_number", pa.string()),
        ("incentive_kind", pa.string()),
        ("tranche", pa.int32()),
        ("expected_amount_idr", pa.int64()),
        ("reported_amount_idr", pa.int64()),
        ("wave", pa.int32()),
        ("fact_on", pa.date32()),
        ("reason", pa.string()),
    ]
)

#: The engine's queries, run in this order; each returns rows shaped as CONDITIONS.
CONDITION_QUERIES = ("payments", "batches", "invoices")
#: Tables whose rows `paired` points back to by a `row_id` (their position).
NUMBERED = ("instructions", "results")


@cache
def sql(name: str) -> str:
    """Return the text of `sql/<name>.sql`."""
    return (resources.files("prakerja.reconciliation") / "sql" / f"{name}.sql").read_text(
        encoding="utf-8"
    )


@cache
def _database() -> Any:
    """The process's in-memory DuckDB; each piece of work gets its own connection to it.

    It holds at most the configured memory and spills the rest (join and
    aggregate state, the pairing) to a folder of this process's own, removed
    at exit, so a whole program reconciles within a fixed footprint.
    """
    import duckdb

    spill = tempfile.mkdtemp(prefix="prakerja-duckdb-")
    atexit.register(shutil.rmtree, spill, ignore_errors=True)
    return duckdb.connect(
        config={
            "memory_limit": get_settings().reconciliation_memory_limit,
            "temp_directory": spill,
        }
    )


def connect(tables: dict[str, pa.Table], *, threads: int | None = None) -> Any:
    """Open a DuckDB connection with the Arrow tables registered under their names.

    Connections share one in-memory database (opening a database costs tens
    of milliseconds, a connection to it almost nothing); what a connection
    registers or creates as temporary is its own and goes when it is closed.
    """
    connection = _database().cursor()
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    for name, table in tables.items():
        connection.register(name, table)
    return connection


def connect_facts(facts: Facts, *, threads: int | None = None) -> Any:
    """Open a DuckDB connection holding the facts, instructions and results numbered."""
    tables = facts.tables()
    for name in NUMBERED:
        rows = tables[name]
        tables[name] = rows.append_column(
            "row_id", pa.array(np.arange(rows.num_rows, dtype=np.int32))
        )
    return connect(tables, threads=threads)


def evaluate(facts: Facts, day: dt.date, *, threads: int | None = None) -> pa.Table:
    """Return every break condition that holds on `day`, one row each (see CONDITIONS)."""
    connection = connect_facts(facts, threads=threads)
    try:
        return evaluate_on(connection, day)
    finally:
        connection.close()


def evaluate_on(connection: Any, day: dt.date) -> pa.Table:
    """Run the engine's queries on a connection holding the fact tables; return the conditions."""
    params = {"day": day}
    evaluate_paired(connection, day)
    parts = [
        connection.sql(sql(name), params=params).to_arrow_table().cast(CONDITIONS)
        for name in CONDITION_QUERIES
    ]
    return pa.concat_tables(parts)


def evaluate_paired(connection: Any, day: dt.date) -> None:
    """Pair instructions with partner results as known on `day`, as the temp table `paired`."""
    connection.execute(f"CREATE OR REPLACE TEMP TABLE paired AS {sql('paired')}", {"day": day})
