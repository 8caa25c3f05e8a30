"""The reconciliation on Apache Spark: the engine's own SQL files, carried to Spark SQL by SQLGlot.

`SparkConnection` answers the few calls the engine makes of a DuckDB
connection (`register`, `execute`, `sql`, `close`), so `engine.py`, `gap.py`
and `escrow.py` run unchanged on either engine: there is one copy of every
break condition, in `sql/*.sql` (DuckDB's dialect), and each statement is
transpiled when it runs. Facts reach Spark as Parquet files in a folder
(`facts.write_facts`), the shape a data lake holds; on a cluster that folder
must be on storage every executor reads (`PRAKERJA_SPARK_FACTS_DIR`).

Local mode is the default (`local[*]`); `PRAKERJA_SPARK_REMOTE` names a Spark
Connect server (`sc://host:15002`) and `PRAKERJA_SPARK_MASTER` a master URL
(`spark://host:7077`, `yarn`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from prakerja.config import get_settings
from prakerja.kit.errors import PrakerjaError
from prakerja.reconciliation.lake import LakeTable, read_manifest, write_table

#: Spark settings every session gets: UTC instants, Arrow hand-over, few shuffle partitions.
SESSION_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.ansi.enabled": "false",
}


@cache
def spark_session() -> Any:
    """Return this process's Spark session: Spark Connect, a master URL, or local mode."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as missing:  # pragma: no cover - pyspark ships with the dev install
        raise PrakerjaError("the Spark engine needs pyspark: pip install pyspark") from missing
    settings = get_settings()
    builder = SparkSession.builder.appName("prakerja-reconciliation")
    if settings.spark_remote:
        builder = builder.remote(settings.spark_remote)
    else:
        builder = builder.master(settings.spark_master).config(
            "spark.driver.memory", settings.spark_driver_memory
        )
        for key, value in SESSION_CONFIG.items():
            builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as failed:
        raise PrakerjaError(f"Spark did not start: {failed}".splitlines()[0]) from failed
    if settings.spark_remote:
        for key in ("spark.sql.session.timeZone", "spark.sql.ansi.enabled"):
            session.conf.set(key, SESSION_CONFIG[key])
    else:
        session.sparkContext.setLogLevel("ERROR")
    return session


def literal(value: object) -> str:
    """Return a value as a SQL literal both DuckDB and Spark read the same way."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("'", "''")
    return f"'{text}'"


def bind(query: str, params: dict[str, Any] | None) -> str:
    """Put named parameters (`$day`) into a DuckDB statement as literals, longest names first."""
    for name in sorted(params or {}, key=len, reverse=True):
        query = query.replace(f"${name}", literal((params or {})[name]))
    return query


def to_spark(query: str) -> list[Any]:
    """Parse a DuckDB statement with SQLGlot; return its expressions, ready for Spark."""
    import sqlglot
    from sqlglot import exp

    statements = [expression for expression in sqlglot.parse(query, read="duckdb") if expression]
    for statement in statements:
        for cte in statement.find_all(exp.CTE):
            # `AS [NOT] MATERIALIZED` is a planner hint Spark's grammar does not have.
            cte.set("materialized", None)
    return statements


@dataclass
class SparkResult:
    """The answer of one statement, read the way the engine reads a DuckDB relation."""

    frame: Any

    @property
    def columns(self) -> list[str]:
        """Return the answer's column names."""
        return list(self.frame.columns)

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Return every row as a tuple."""
        return [tuple(row) for row in self.frame.collect()]

    def to_arrow_table(self) -> pa.Table:
        """Return the answer as an Arrow table."""
        return self.frame.toArrow()


class SparkConnection:
    """A Spark session holding the engine's tables as temporary views over Parquet facts."""

    def __init__(self, spark: Any, folder: Path | None = None) -> None:
        """Keep the tables' Parquet files in `folder` (a temporary one when None)."""
        self.spark = spark
        self.owned = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="prakerja-spark-", dir=_facts_root()))
        self.views: list[str] = []
        self.cached: list[Any] = []

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table the temporary view `name`, through the lake's Parquet writer."""
        self.attach(write_table(self.folder, name, table))

    def attach(self, table: LakeTable) -> None:
        """Make a table of a Parquet lake the temporary view of its name, typed as written."""
        reader = self.spark.read.schema(spark_schema(table.columns))
        if table.partition_by:
            reader = reader.option("basePath", str(table.path))
        reader.parquet(str(table.path)).createOrReplaceTempView(table.name)
        self.views.append(table.name)

    def execute(self, query: str, params: dict[str, Any] | None = None) -> SparkResult | None:
        """Run one DuckDB statement on Spark; a `CREATE TEMP TABLE ... AS` is cached as a view."""
        from sqlglot import exp

        result: SparkResult | None = None
        for statement in to_spark(bind(query, params)):
            if isinstance(statement, exp.Create):
                self._create(statement)
                continue
            result = SparkResult(self.spark.sql(statement.sql(dialect="spark")))
        return result

    def sql(self, query: str, params: dict[str, Any] | None = None) -> SparkResult:
        """Run one DuckDB query on Spark and return its answer."""
        result = self.execute(query, params)
        if result is None:
            raise PrakerjaError("the statement returned no rows to read")
        return result

    def close(self) -> None:
        """Drop the views and cached tables; remove the Parquet files this connection wrote."""
        for frame in self.cached:
            frame.unpersist()
        for name in self.views:
            self.spark.catalog.dropTempView(name)
        if self.owned:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _create(self, statement: Any) -> None:
        """Create a temporary view (`CREATE ... VIEW`) or a cached one (`CREATE ... TABLE`)."""
        name = statement.this.name if hasattr(statement.this, "name") else str(statement.this)
        query = statement.expression.sql(dialect="spark")
        frame = self.spark.sql(query)
        if str(statement.args.get("kind", "")).upper() == "TABLE":
            frame = frame.cache()
            self.cached.append(frame)
        frame.createOrReplaceTempView(name)
        self.views.append(name)


#: Arrow types as the lake's manifest writes them, and the Spark SQL type each is read as.
SPARK_TYPES = {
    "string": "STRING",
    "large_string": "STRING",
    "null": "STRING",
    "bool": "BOOLEAN",
    "int8": "TINYINT",
    "int16": "SMALLINT",
    "int32": "INT",
    "int64": "BIGINT",
    "double": "DOUBLE",
    "date32[day]": "DATE",
}


def spark_schema(columns: tuple[tuple[str, str], ...]) -> str:
    """Return the Spark DDL schema of a lake table's columns (instants are UTC timestamps)."""
    parts = []
    for name, arrow_type in columns:
        kind = "TIMESTAMP" if arrow_type.startswith("timestamp") else SPARK_TYPES.get(arrow_type)
        if kind is None:
            raise PrakerjaError(f"column {name} has a type Spark is not given: {arrow_type}")
        parts.append(f"`{name}` {kind}")
    return ", ".join(parts)


def _facts_root() -> str | None:
    """Return the folder where Spark's Parquet facts go (None: the system's temporary folder)."""
    folder = get_settings().spark_facts_dir
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def connect_lake(folder: Path) -> tuple[dt.date, SparkConnection]:
    """Open Spark over a lake that `export facts` wrote; return its day and the connection."""
    day, tables = read_manifest(folder)
    connection = SparkConnection(spark_session(), folder)
    for table in tables:
        connection.attach(table)
    return day, connection


def connect_spark(tables: dict[str, pa.Table]) -> SparkConnection:
    """Open a Spark connection with the Arrow tables registered as views under their names."""
    connection = SparkConnection(spark_session())
    try:
        for name, table in tables.items():
            connection.register(name, table)
    except Exception:
        connection.close()
        raise
    return connection
