"""Both engines on the same Parquet facts, side by side: DuckDB and Apache Spark, same run.

What is measured, for a synthetic program (bench/reconciliation_data.py; four
instructions per participant, so --participants 250000 is 1M instructions
and 5600000 the whole 2020 program's 22.4M):

The facts are generated once and written as the Parquet lake `prakerja export
facts` writes (`--lake DIR`; kept, and reused by the next run on the same
folder). Then each approach runs in a process of its own, over that lake:

- duckdb: the engine reading the lake lazily in DuckDB (`lake.connect_duckdb`,
  what `prakerja reconcile --facts DIR` runs): every break condition with its
  reason, the gap report and the escrow proof;
- arrow: the engine as `prakerja reconcile` runs it today, the facts first
  read into the process as Arrow tables (here from the lake), then DuckDB;
- spark: the same conditions on Spark over the lake (`connect_lake` +
  `evaluate_on`), local mode (PRAKERJA_SPARK_MASTER, default local[*]) with
  `--driver-memory`; JVM start and planning included;
- baseline: the plain one-query DuckDB baseline (reconciliation_baselines.py)
  over the same Parquet (break counts only: no reasons, ids, gap).

Wall time is the whole process's work after its imports, reading the facts
included; peak memory is the highest resident set of the process tree (a
Spark driver's JVM is a child of the Python process), sampled every 0.1 s.
Every engine's conditions must agree row for row, and the baseline's counts
with theirs, or the benchmark fails.

    .venv/bin/python bench/reconciliation_spark.py --participants 250000
    .venv/bin/python bench/reconciliation_spark.py --participants 5600000 \
        --lake /work/scratch/spark-scale/lake-5600000 --driver-memory 10g
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

APPROACHES = ("duckdb", "arrow", "spark", "baseline")


def _write_lake(participants: int, folder: Path) -> None:
    from prakerja.reconciliation.engine import engine_tables
    from prakerja.reconciliation.lake import write_facts
    from reconciliation_data import RECONCILE_DAY, generate

    start = time.perf_counter()
    facts = generate(participants)
    generated = time.perf_counter() - start
    tables = engine_tables(facts)
    del facts
    write_facts(folder, tables, day=RECONCILE_DAY)
    print(
        f"generated in {generated:.1f} s, lake written in "
        f"{time.perf_counter() - start - generated:.1f} s (not part of any figure)"
    )


def _measure(approach: str, folder: Path, out: Path) -> dict[str, object]:
    """Run one approach over the lake; write its conditions to `out`; return its figures."""
    import pyarrow.parquet as pq

    from prakerja.reconciliation.engine import evaluate_on
    from prakerja.reconciliation.escrow import escrow_on
    from prakerja.reconciliation.gap import gap_on

    start = time.perf_counter()
    if approach == "baseline":
        return _baseline(folder, start)
    if approach == "spark":
        from prakerja.reconciliation.spark import connect_lake

        day, connection = connect_lake(folder)
    elif approach == "duckdb":
        from prakerja.reconciliation.lake import connect_duckdb

        day, connection = connect_duckdb(folder)
        _settings(connection)
    else:
        day, connection = _arrow(folder)
    try:
        conditions = evaluate_on(connection, day)
        conditions_seconds = time.perf_counter() - start
        gap = gap_on(connection, day)
        escrow = escrow_on(connection, day, None)
    finally:
        connection.close()
    seconds = time.perf_counter() - start
    pq.write_table(conditions, out)
    return {
        "seconds": seconds,
        "conditions_seconds": conditions_seconds,
        "counts": dict(Counter(conditions["break_type"].to_pylist())),
        "gap": gap.sentence(),
        "escrow_closing_idr": escrow.closing_idr,
    }


def _arrow(folder: Path) -> tuple[object, object]:
    """The facts read into this process as Arrow first (as from the system of record)."""
    from prakerja.reconciliation.engine import connect
    from prakerja.reconciliation.lake import connect_duckdb, read_manifest
    from prakerja.reconciliation.sources import compact

    day, lake = connect_duckdb(folder)
    names = [table.name for table in read_manifest(folder)[1]]
    tables = {name: lake.sql(f"SELECT * FROM {name}").to_arrow_table() for name in names}
    lake.close()
    for name in ("instructions", "results"):
        tables[name] = compact(tables[name])
    return day, connect(tables)


def _baseline(folder: Path, start: float) -> dict[str, object]:
    import tempfile

    import duckdb

    from prakerja.config import get_settings
    from prakerja.reconciliation.lake import duckdb_view, read_manifest
    from reconciliation_baselines import BASELINE_SQL

    day, tables = read_manifest(folder)
    limit = get_settings().reconciliation_memory_limit
    with tempfile.TemporaryDirectory(prefix="baseline-duckdb-") as spill:
        connection = duckdb.connect(config={"memory_limit": limit, "temp_directory": spill})
        for table in tables:
            connection.execute(f"CREATE VIEW {table.name} AS {duckdb_view(table)}")
        _settings(connection)
        rows = connection.execute(BASELINE_SQL, {"day": day}).fetchall()
        connection.close()
    return {
        "seconds": time.perf_counter() - start,
        "counts": {kind: int(count) for kind, count in rows},
    }


def _settings(connection: object) -> None:
    """Apply DuckDB settings to try, from BENCH_DUCKDB_SET ("name=value,name=value")."""
    for setting in filter(None, os.environ.get("BENCH_DUCKDB_SET", "").split(",")):
        connection.execute(f"SET {setting}")  # type: ignore[attr-defined]


def _tree_rss_gb(root: int) -> float:
    """The resident memory of a process and all its descendants, in GB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree) / 1024**3


def _run(approach: str, folder: Path, out: Path, environment: dict[str, str]) -> dict[str, object]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--measure", approach, "--lake", str(folder), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    highest = 0.0
    while child.poll() is None:
        highest = max(highest, _tree_rss_gb(child.pid))
        time.sleep(0.1)
    stdout, stderr = child.communicate()
    if child.returncode != 0:
        return {"failed": stderr.strip().splitlines()[-1] if stderr.strip() else "crashed"}
    result: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    result["peak_gb"] = highest
    return result


def _rows(path: Path) -> list[tuple]:
    import pyarrow.parquet as pq

    return sorted(tuple(row.values()) for row in pq.read_table(path).to_pylist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=250_000)
    parser.add_argument("--lake", type=Path, help="the Parquet facts (written when missing)")
    parser.add_argument("--approach", choices=APPROACHES, action="append", default=[])
    parser.add_argument("--driver-memory", default="2g", help="Spark's driver, local mode")
    parser.add_argument("--duckdb-limit", help="DuckDB memory (PRAKERJA_RECONCILIATION_...)")
    parser.add_argument("--measure", choices=APPROACHES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.lake or HERE / "work" / "lake" / str(args.participants)
    if args.measure:
        print(json.dumps(_measure(args.measure, folder, args.out)))
        return
    if args.write:
        _write_lake(args.participants, folder)
        return
    if not (folder / "manifest.json").exists():
        command = [sys.executable, __file__, "--write", "--lake", str(folder)]
        subprocess.run([*command, "--participants", str(args.participants)], check=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    rows = {name: entry["rows"] for name, entry in manifest["tables"].items()}
    environment = dict(os.environ)
    environment["PRAKERJA_SPARK_DRIVER_MEMORY"] = args.driver_memory
    if args.duckdb_limit:
        environment["PRAKERJA_RECONCILIATION_MEMORY_LIMIT"] = args.duckdb_limit
    from prakerja.config import get_settings

    print(
        f"lake {folder}: {rows['instructions']:,} instructions, {rows['results']:,} results, "
        f"{rows['cards']:,} cards; {os.cpu_count()} cores; DuckDB memory "
        f"{args.duckdb_limit or get_settings().reconciliation_memory_limit}; Spark "
        f"{environment.get('PRAKERJA_SPARK_MASTER', 'local[*]')}, driver {args.driver_memory}; "
        f"DuckDB settings {os.environ.get('BENCH_DUCKDB_SET', '-')}; "
        f"load average {Path('/proc/loadavg').read_text().split()[:3]}"
    )
    measured: dict[str, dict[str, object]] = {}
    for approach in args.approach or ["duckdb", "spark", "baseline"]:
        out = folder.parent / f"{folder.name}.{approach}.parquet"
        measured[approach] = result = _run(approach, folder, out, environment)
        if "failed" in result:
            print(f"{approach:<8} failed: {result['failed']}", flush=True)
            continue
        print(
            f"{approach:<8} {result['seconds']:>8.1f} s {result['peak_gb']:>6.2f} GB peak "
            f"(load {Path('/proc/loadavg').read_text().split()[0]})",
            flush=True,
        )
    _check(folder, measured)


def _check(folder: Path, measured: dict[str, dict[str, object]]) -> None:
    engines = [a for a, r in measured.items() if a != "baseline" and "counts" in r]
    reference = engines[0] if engines else None
    for approach in engines[1:]:
        same = _rows(folder.parent / f"{folder.name}.{approach}.parquet") == _rows(
            folder.parent / f"{folder.name}.{reference}.parquet"
        )
        if not same or measured[approach]["gap"] != measured[reference]["gap"]:
            raise SystemExit(f"{approach} and {reference} disagree: this is a defect")
    if reference:
        counts = measured[reference]["counts"]
        print(
            f"same conditions on {', '.join(engines)}: {json.dumps(dict(sorted(counts.items())))}"
        )
        print(measured[reference]["gap"])
        if "counts" in measured.get("baseline", {}):
            baseline = {k: v for k, v in measured["baseline"]["counts"].items() if v}
            mine = {k: counts[k] for k in baseline if k in counts}
            if baseline != mine:
                raise SystemExit(f"baseline counts {baseline} != {mine}")
            print("the baseline's counts agree")
        for approach, result in measured.items():
            if "seconds" in result and approach != reference:
                ratio = result["seconds"] / measured[reference]["seconds"]
                print(f"{approach} / {reference}: {ratio:.2f}x time")


if __name__ == "__main__":
    main()
