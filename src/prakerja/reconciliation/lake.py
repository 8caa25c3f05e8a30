"""The reconciliation's facts as Parquet: the shape a data lake holds, and what Spark reads.

`prakerja export facts --date D --out DIR` writes every table the engine
reads as a Parquet dataset `DIR/<table>/`, the large daily ones partitioned
by their business day (`DIR/instructions/created_on=2020-05-04/...`), beside
`DIR/manifest.json` naming the day, each table's columns with their types and
its row count. The Spark engine registers its tables through the very same
writer, so what it reconciles is exactly what an export holds.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from prakerja.storage.duck import open_duckdb

#: The daily tables and the day column each is partitioned by (the rest are single files).
PARTITIONS = {
    "instructions": "created_on",
    "results": "processed_on",
    "batches": "business_date",
    "bank_lines": "statement_date",
    "invoices": "invoiced_on",
    "attendances": "attended_on",
}
MANIFEST = "manifest.json"
#: Rows in a Parquet row group (a day's file holds one or a few of them).
ROWS_PER_GROUP = 1 << 20
#: The manifest's format; a reader refuses one it does not know.
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class LakeTable:
    """One table of the lake: where it lies, how it is partitioned, its columns and rows."""

    name: str
    path: Path
    partition_by: str | None
    columns: tuple[tuple[str, str], ...]
    rows: int


def plain(table: pa.Table) -> pa.Table:
    """Return the table with dictionary-encoded columns decoded to their values."""
    columns = [
        column.dictionary_decode() if pa.types.is_dictionary(column.type) else column
        for column in (table.column(i).combine_chunks() for i in range(table.num_columns))
    ]
    return pa.table(columns, names=table.column_names)


def partition_column(name: str, table: pa.Table) -> str | None:
    """Return the day column a table is partitioned by (its base name decides), if any."""
    column = PARTITIONS.get(name.removesuffix("_all"))
    return column if column in table.column_names else None


def write_table(folder: Path, name: str, table: pa.Table) -> LakeTable:
    """Write one table as the Parquet dataset `folder/name/`, replacing what was there."""
    import pyarrow.dataset as ds  # here: it imports pandas, a quarter second every reconcile paid

    path = folder / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    table = plain(table)
    by = partition_column(name, table)
    ds.write_dataset(
        table,
        path,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([table.schema.field(by)]), flavor="hive")
        if by
        else None,
        basename_template="part-{i}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        max_partitions=100_000,
        # Whole row groups: the writer would otherwise cut one per day for every input
        # batch (a whole program's day came out as 684 groups of 55 rows), and each
        # group costs a reader (DuckDB, Spark) as much as thousands of rows.
        min_rows_per_group=ROWS_PER_GROUP,
        max_rows_per_group=ROWS_PER_GROUP,
    )
    columns = tuple((field.name, str(field.type)) for field in table.schema)
    return LakeTable(name, path, by, columns, table.num_rows)


def write_facts(folder: Path, tables: Mapping[str, pa.Table], *, day: dt.date) -> list[LakeTable]:
    """Write every fact table into `folder` with its manifest; return what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_table(folder, name, table) for name, table in tables.items()]
    manifest = {
        "version": MANIFEST_VERSION,
        "day": day.isoformat(),
        "tables": {
            table.name: {
                "partition_by": table.partition_by,
                "rows": table.rows,
                "columns": [list(column) for column in table.columns],
            }
            for table in written
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written


def read_manifest(folder: Path) -> tuple[dt.date, list[LakeTable]]:
    """Read a lake's manifest: its day and its tables."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as unreadable:
        raise ValueError(f"{folder} holds no readable {MANIFEST}: {unreadable}") from unreadable
    if manifest.get("version") != MANIFEST_VERSION:
        raise ValueError(f"{folder / MANIFEST} is of an unknown version {manifest.get('version')}")
    tables = [
        LakeTable(
            name,
            folder / name,
            entry["partition_by"],
            tuple((column, kind) for column, kind in entry["columns"]),
            int(entry["rows"]),
        )
        for name, entry in manifest["tables"].items()
    ]
    return dt.date.fromisoformat(manifest["day"]), tables


#: Arrow types as the manifest writes them, and the DuckDB type each is read as.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "large_string": "VARCHAR",
    "null": "VARCHAR",
    "bool": "BOOLEAN",
    "int8": "TINYINT",
    "int16": "SMALLINT",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "double": "DOUBLE",
    "date32[day]": "DATE",
}


def duckdb_type(arrow_type: str) -> str:
    """Return the DuckDB type a lake column of this (manifest) Arrow type is read as."""
    if arrow_type.startswith("timestamp"):
        return "TIMESTAMPTZ" if "tz=" in arrow_type else "TIMESTAMP"
    try:
        return DUCKDB_TYPES[arrow_type]
    except KeyError:
        raise ValueError(f"a lake column has a type DuckDB is not given: {arrow_type}") from None


def duckdb_view(table: LakeTable) -> str:
    """Return the SELECT that reads a lake table lazily in DuckDB, typed as the manifest says.

    DuckDB reads the Parquet files when a query runs, only the columns and row
    groups it needs; a table with no rows (no files written) reads as empty.
    """
    columns = ", ".join(
        f"CAST({name} AS {duckdb_type(kind)}) AS {name}" for name, kind in table.columns
    )
    files = sorted(table.path.rglob("*.parquet"))
    if not files:
        nulls = ", ".join(f"NULL AS {name}" for name, _ in table.columns)
        return f"SELECT {columns} FROM (SELECT {nulls}) WHERE false"
    path = str(table.path / "**" / "*.parquet").replace("'", "''")
    if table.partition_by:
        source = (
            f"read_parquet('{path}', hive_partitioning = true, "
            f"hive_types = {{'{table.partition_by}': DATE}})"
        )
    else:
        source = f"read_parquet('{path}', hive_partitioning = false)"
    return f"SELECT {columns} FROM {source}"


def connect_duckdb(folder: Path, *, threads: int | None = None) -> tuple[dt.date, Any]:
    """Open DuckDB over a lake that `export facts` wrote; return its day and the connection.

    Each table is a view reading its Parquet files lazily, so the facts never
    sit in this process as Arrow: DuckDB holds at most its memory limit and
    spills the rest (`storage.duck`).
    """
    day, tables = read_manifest(folder)
    connection = open_duckdb(threads=threads)
    try:
        for table in tables:
            connection.execute(f"CREATE OR REPLACE TEMP VIEW {table.name} AS {duckdb_view(table)}")
    except Exception:
        connection.close()
        raise
    return day, connection
