"""The one way to use DuckDB: one in-memory database per process, memory-limited, spilling.

Every domain that runs rule SQL over Arrow opens its connection here, with
`duckdb_connection(...)` (always closed); the database holds at most the
configured memory and spills the rest to a folder of this process's own,
removed at exit, so that work over a whole program stays within a fixed footprint.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa

from prakerja.config import get_settings


@cache
def _database() -> Any:
    """The process's in-memory DuckDB; each piece of work gets its own cursor on it."""
    import duckdb

    settings = get_settings()
    parent = settings.duckdb_spill_dir
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    spill = tempfile.mkdtemp(prefix="prakerja-duckdb-", dir=parent)
    atexit.register(shutil.rmtree, spill, ignore_errors=True)
    return duckdb.connect(
        config={
            "memory_limit": settings.reconciliation_memory_limit,
            "temp_directory": spill,
        }
    )


def open_duckdb(tables: Mapping[str, pa.Table] | None = None, *, threads: int | None = None) -> Any:
    """Open a DuckDB connection (the caller closes it) with Arrow tables registered by name.

    Connections share one in-memory database (opening a database costs tens of
    milliseconds, a connection to it almost nothing); what a connection
    registers or creates as temporary is its own and goes when it is closed.
    """
    connection = _database().cursor()
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    for name, table in (tables or {}).items():
        connection.register(name, table)
    return connection


@contextmanager
def duckdb_connection(
    tables: Mapping[str, pa.Table] | None = None, *, threads: int | None = None
) -> Iterator[Any]:
    """Yield a DuckDB connection with `tables` registered; it is closed however the block ends."""
    connection = open_duckdb(tables, threads=threads)
    try:
        yield connection
    finally:
        connection.close()


@cache
def read_sql(package: str, name: str) -> str:
    """Return the text of a domain's rule SQL, `<package>/sql/<name>.sql`."""
    return (resources.files(package) / "sql" / f"{name}.sql").read_text(encoding="utf-8")
