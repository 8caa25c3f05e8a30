"""Both engines on the same facts: DuckDB in process beside Apache Spark (local mode), same run.

What is measured, for a synthetic program (bench/reconciliation_data.py; four
instructions per participant, so --participants 250000 is 1M instructions
and 5600000 the whole 2020 program's 22.4M):

- duckdb: `engine.evaluate` on the Arrow facts (every break condition);
- lake: writing those facts as the Parquet lake `prakerja export facts` writes;
- spark: the same break conditions on Spark over that lake (`connect_lake` +
  `evaluate_on`), the first run (JVM start and planning included) and a second one.

Both engines' conditions must agree row for row, or the benchmark fails.

    .venv/bin/python bench/reconciliation_spark.py --participants 250000
    PRAKERJA_SPARK_MASTER='local[2]' .venv/bin/python bench/reconciliation_spark.py
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reconciliation_data import RECONCILE_DAY, generate  # noqa: E402


def _rows(table) -> list[tuple]:
    return sorted(tuple(row.values()) for row in table.to_pylist())


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=250_000)
    args = parser.parse_args()

    from prakerja.reconciliation.engine import engine_tables, evaluate, evaluate_on
    from prakerja.reconciliation.lake import write_facts
    from prakerja.reconciliation.spark import connect_lake

    start = time.perf_counter()
    facts = generate(args.participants)
    instructions = facts.payments.instructions.num_rows
    print(
        f"generated {args.participants:,} participants, {instructions:,} instructions "
        f"in {time.perf_counter() - start:.1f} s"
    )

    start = time.perf_counter()
    in_process = evaluate(facts, RECONCILE_DAY)
    duckdb_seconds = time.perf_counter() - start
    print(
        f"duckdb: {in_process.num_rows:,} conditions in {duckdb_seconds:.2f} s "
        f"(peak RSS so far {_peak_gb():.2f} GB)"
    )

    with tempfile.TemporaryDirectory(prefix="prakerja-lake-") as folder:
        start = time.perf_counter()
        write_facts(Path(folder), engine_tables(facts), day=RECONCILE_DAY)
        print(f"lake: Parquet facts written in {time.perf_counter() - start:.2f} s")
        timings = []
        for attempt in ("first", "second"):
            start = time.perf_counter()
            day, connection = connect_lake(Path(folder))
            try:
                on_spark = evaluate_on(connection, day)
            finally:
                connection.close()
            timings.append(time.perf_counter() - start)
            print(f"spark ({attempt} run): {on_spark.num_rows:,} conditions in {timings[-1]:.2f} s")
    if _rows(on_spark) != _rows(in_process):
        raise SystemExit("the engines disagree: this is a defect")
    print(
        f"same {in_process.num_rows:,} conditions on both engines; spark's second run is "
        f"{timings[-1] / duckdb_seconds:.1f}x DuckDB's time at {instructions:,} instructions"
    )


if __name__ == "__main__":
    main()
