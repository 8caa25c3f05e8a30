"""The reconciliation engine: every break condition of a day, as SQL over Arrow in DuckDB.

`evaluate` is a pure function of the facts and the day: it returns one row
per break condition that holds, whatever was found before. The SQL lives in
`sql/*.sql` (DuckDB's dialect, plain enough for SQLGlot to carry to another
engine); this module only registers the Arrow tables and runs the files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from prakerja.kit.errors import InputError
from prakerja.reconciliation.lake import connect_duckdb, read_manifest
from prakerja.reconciliation.sources import Facts
from prakerja.storage.duck import open_duckdb, read_sql

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


def sql(name: str) -> str:
    """Return the text of `sql/<name>.sql`."""
    return read_sql("prakerja.reconciliation", name)


def connect(tables: dict[str, pa.Table], *, threads: int | None = None) -> Any:
    """Open a DuckDB connection with the Arrow tables registered under their names."""
    return open_duckdb(tables, threads=threads)


#: Per table, what a replayed run could not know yet reads as not yet happened: a fact
#: about a row (`column`) known only after the run started (`when`) is NULL, or is replaced
#: by the given SQL. Rows themselves known after it (`known_at`) are left out altogether.
_LATER_FACTS: dict[str, dict[str, str]] = {
    "instructions": {
        "cancelled_on": "CASE WHEN {cancel_known_at} THEN cancelled_on END",
        "state": "CASE WHEN state = 'CANCELLED' AND NOT {cancel_known_at} THEN 'OPEN' "
        "ELSE state END",
    },
    "vouchers": {
        "redeemed_on": "CASE WHEN {redeemed_known_at} THEN redeemed_on END",
        "completed_on": "CASE WHEN {completed_known_at} THEN completed_on END",
        "refunded_on": "CASE WHEN {refunded_known_at} THEN refunded_on END",
    },
}


#: The engines that run the break conditions: DuckDB in process, or Apache Spark.
ENGINES = ("duckdb", "spark")


def connect_facts(facts: Facts, *, threads: int | None = None, engine: str = "duckdb") -> Any:
    """Open a connection (DuckDB, or Spark) holding the facts, instructions and results numbered.

    Facts read with their knowledge columns (for a rebuild) are registered as
    `<name>_all`, behind views `<name>` that `know_until` points at a moment.
    """
    named = engine_tables(facts)
    knowing = knowing_tables(facts)
    if engine == "spark":
        from prakerja.reconciliation.spark import connect_spark

        connection: Any = connect_spark(named)
    else:
        connection = connect(named, threads=threads)
    know_until(connection, None, knowing)
    return connection


def connect_lake(
    folder: Path, *, day: dt.date | None = None, threads: int | None = None, engine: str = "duckdb"
) -> Any:
    """Open a connection (DuckDB, or Spark) over the Parquet facts `export facts` wrote.

    DuckDB reads the files lazily, as its queries need them (the facts are
    never held in this process); Spark reads them as its own lake. `day`, when
    given, must be the day the facts were exported for.
    """
    exported, tables = read_manifest(folder)
    if day is not None and exported != day:
        raise InputError(f"the facts in {folder} are those of {exported}, not of {day}")
    if engine == "spark":
        from prakerja.reconciliation.spark import connect_lake as connect_spark_lake

        connection: Any = connect_spark_lake(folder)[1]
    else:
        connection = connect_duckdb(folder, threads=threads)[1]
    knowing = {t.name.removesuffix("_all") for t in tables if t.name.endswith("_all")}
    know_until(connection, None, knowing)
    return connection


def engine_tables(facts: Facts) -> dict[str, pa.Table]:
    """Return the tables the engine registers, instructions and results numbered (`row_id`).

    Tables read with their knowledge columns (for a rebuild) are named `<name>_all`.
    """
    tables = facts.tables()
    for name in NUMBERED:
        rows = tables[name]
        tables[name] = rows.append_column(
            "row_id", pa.array(np.arange(rows.num_rows, dtype=np.int32))
        )
    knowing = knowing_tables(facts)
    return {f"{name}_all" if name in knowing else name: table for name, table in tables.items()}


def knowing_tables(facts: Facts) -> set[str]:
    """Return the names of the fact tables read with their knowledge columns."""
    return {name for name, table in facts.tables().items() if "known_at" in table.column_names}


def know_until(connection: Any, moment: dt.datetime | None, names: set[str]) -> None:
    """Show the tables `names` as known at `moment` (everything when None), through views."""
    for name in sorted(names):
        columns = connection.sql(f"SELECT * FROM {name}_all LIMIT 0").columns
        knowledge = [column for column in columns if column.endswith("known_at")]
        known = {
            column: "TRUE"
            if moment is None
            else f"coalesce({column} <= TIMESTAMPTZ '{moment.isoformat()}', TRUE)"
            for column in knowledge
        }
        later = _LATER_FACTS.get(name, {})
        # Plain column lists (no DuckDB-only `* EXCLUDE/REPLACE`), so Spark reads it too.
        select = "SELECT " + ", ".join(
            f"{later[column].format(**known)} AS {column}" if column in later else column
            for column in columns
            if column not in knowledge
        )
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS {select} FROM {name}_all "
            f"WHERE {known['known_at']}"
        )


def evaluate(
    facts: Facts, day: dt.date, *, threads: int | None = None, engine: str = "duckdb"
) -> pa.Table:
    """Return every break condition that holds on `day`, one row each (see CONDITIONS)."""
    connection = connect_facts(facts, threads=threads, engine=engine)
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
