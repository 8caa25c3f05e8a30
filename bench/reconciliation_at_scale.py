"""The whole 2020 program reconciled at once: the engine beside two baselines, same data, same run.

What is measured: 5,600,000 participants, 22,400,000 instructions (four
tranches each) with their partner results and the escrow bank's lines, as
the Arrow tables the engine reads from the system of record (generating and
loading 22.4M rows into SQLite or PostgreSQL is left out; the busy-day
benchmark measures reading from both databases). Each approach runs in its
own process, which first loads the tables from Feather files (not timed,
but part of its peak memory), then:

- engine: everything `prakerja reconcile` computes in DuckDB - every break
  condition with its reason, the break store's comparison against an empty
  store (every break new, ids made), the gap report and the escrow proof;
- duckdb: one hand-written query over the same joins counting the breaks;
- pandas: the same counts with pandas merges and group-bys.

The three break counts must agree. Wall time is the computation only; peak
memory is the process's maximum resident set (inputs included). A watchdog
stops an approach that goes past --limit-gb, so a runaway baseline cannot
take the machine down.

    .venv/bin/pip install -c constraints.txt -e '.[bench]'
    .venv/bin/python bench/reconciliation_at_scale.py                  # 5.6M participants
    .venv/bin/python bench/reconciliation_at_scale.py --participants 400000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from prakerja.config import get_settings  # noqa: E402
from reconciliation_data import RECONCILE_DAY, as_facts, generate, load, save  # noqa: E402

WORK = HERE / "work" / "reconciliation"
APPROACHES = ("engine", "duckdb", "pandas")


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _measure_engine(folder: Path) -> dict[str, object]:
    from prakerja.reconciliation.engine import connect, connect_facts, evaluate_on, sql
    from prakerja.reconciliation.escrow import escrow_on
    from prakerja.reconciliation.gap import gap_on
    from prakerja.reconciliation.sources import EscrowBooks
    from prakerja.reconciliation.store import HISTORY, LIVE

    facts = as_facts(load(folder))
    start = time.perf_counter()
    connection = connect_facts(facts)
    conditions = evaluate_on(connection, RECONCILE_DAY)
    paired_and_conditions = time.perf_counter() - start
    gap = gap_on(connection, RECONCILE_DAY)
    # The books side is a sum over the ledger in the system of record, not part of the engine.
    no_books = EscrowBooks(funded_idr=0, paid_idr=0, in_flight_idr=0)
    escrow = escrow_on(connection, RECONCILE_DAY, no_books)
    connection.close()
    store = connect(
        {"conditions": conditions, "live": LIVE.empty_table(), "history": HISTORY.empty_table()}
    )
    opened = store.sql(sql("found")).to_arrow_table()
    store.close()
    seconds = time.perf_counter() - start
    counts = Counter(conditions["break_type"].to_pylist())
    return {
        "seconds": seconds,
        "conditions_seconds": paired_and_conditions,
        "counts": dict(counts),
        "opened": opened.num_rows,
        "gap": gap.sentence(),
        "escrow_closing_idr": escrow.closing_idr,
    }


def _measure_duckdb(folder: Path) -> dict[str, object]:
    import tempfile

    from prakerja.config import get_settings
    from reconciliation_baselines import duckdb_counts

    tables = load(folder)
    limit = get_settings().reconciliation_memory_limit
    with tempfile.TemporaryDirectory(prefix="baseline-duckdb-") as spill:
        start = time.perf_counter()
        counts = duckdb_counts(
            tables, RECONCILE_DAY, {"memory_limit": limit, "temp_directory": spill}
        )
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "counts": counts}


def _measure_pandas(folder: Path) -> dict[str, object]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from reconciliation_baselines import pandas_counts

    tables = load(folder)
    frames = {}
    for name in ("instructions", "results", "cards", "exclusions", "bank_lines"):
        table = tables.pop(name)
        for position, field in enumerate(table.schema):
            if pa.types.is_dictionary(field.type):
                table = table.set_column(
                    position, field.name, pc.cast(table[field.name], pa.string())
                )
        frames[name] = table.to_pandas(date_as_object=False, self_destruct=True)
        del table
    start = time.perf_counter()
    counts = pandas_counts(frames, RECONCILE_DAY)
    return {"seconds": time.perf_counter() - start, "counts": counts}


def _generate(participants: int, folder: Path) -> None:
    start = time.perf_counter()
    facts = generate(participants)
    rows = {name: table.num_rows for name, table in facts.tables().items()}
    save(facts, folder)
    (folder / "complete").write_text(json.dumps(rows))
    print(f"generated in {time.perf_counter() - start:.1f}s (not part of any figure)")


def _child(approach: str, folder: Path) -> None:
    measure = {"engine": _measure_engine, "duckdb": _measure_duckdb, "pandas": _measure_pandas}
    result = measure[approach](folder)
    result["peak_gb"] = _peak_gb()
    print(json.dumps(result))


def _rss_gb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _run(
    approach: str, folder: Path, limit_gb: float, duckdb_limit: str | None
) -> dict[str, object]:
    environment = dict(os.environ)
    if duckdb_limit:
        environment["PRAKERJA_RECONCILIATION_MEMORY_LIMIT"] = duckdb_limit
    child = subprocess.Popen(
        [sys.executable, __file__, "--measure", approach, "--work", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    highest = 0.0
    while child.poll() is None:
        highest = max(highest, _rss_gb(child.pid))
        if highest > limit_gb:
            child.kill()
            child.wait()
            return {"failed": f"stopped above {limit_gb:.0f} GB resident"}
        time.sleep(0.2)
    out, err = child.communicate()
    if child.returncode != 0:
        return {"failed": err.strip().splitlines()[-1] if err.strip() else "crashed"}
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5_600_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--measure", choices=APPROACHES, help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip", choices=APPROACHES, action="append", default=[])
    parser.add_argument("--limit-gb", type=float, default=15.0, help="watchdog, per process")
    parser.add_argument("--engine-duckdb-limit", help="DuckDB memory for the engine")
    parser.add_argument("--baseline-duckdb-limit", help="DuckDB memory for the baseline")
    args = parser.parse_args()
    folder = args.work or WORK / str(args.participants)
    if args.measure:
        _child(args.measure, folder)
        return
    if args.generate:
        _generate(args.participants, folder)
        return
    marker = folder / "complete"
    if not marker.exists():
        command = [sys.executable, __file__, "--generate", "--work", str(folder)]
        subprocess.run([*command, "--participants", str(args.participants)], check=True)
    rows = json.loads(marker.read_text())
    print(
        f"{args.participants:,} participants: {rows['instructions']:,} instructions, "
        f"{rows['results']:,} results, {rows['bank_lines']:,} bank lines, "
        f"{rows['cards']:,} cards; reconciled as of {RECONCILE_DAY}; {os.cpu_count()} cores"
    )
    default = get_settings().reconciliation_memory_limit
    print(
        f"DuckDB memory: engine {args.engine_duckdb_limit or default}, "
        f"baseline {args.baseline_duckdb_limit or default}; watchdog {args.limit_gb:.0f} GB"
    )
    duckdb_limits = {"engine": args.engine_duckdb_limit, "duckdb": args.baseline_duckdb_limit}
    measured = {
        approach: _run(approach, folder, args.limit_gb, duckdb_limits.get(approach))
        for approach in APPROACHES
        if approach not in args.skip
    }
    engine = measured.get("engine", {})
    print(f"{'approach':<8} {'seconds':>9} {'peak GB':>8}  ratio to engine")
    for approach, result in measured.items():
        if "failed" in result:
            print(f"{approach:<8} {'-':>9} {'-':>8}  {result['failed']}")
            continue
        ratio = f"{result['seconds'] / engine['seconds']:.2f}x" if "seconds" in engine else "-"
        print(f"{approach:<8} {result['seconds']:>9.2f} {result['peak_gb']:>8.2f}  {ratio}")
    if "counts" in engine:
        print(
            f"engine: conditions in {engine['conditions_seconds']:.2f}s, "
            f"{engine['opened']:,} breaks opened; {engine['gap']}"
        )
        reference = {k: v for k, v in engine["counts"].items() if v}
        for approach, result in measured.items():
            counts = {k: v for k, v in result.get("counts", {}).items() if v}
            if counts and counts != reference:
                print(f"MISMATCH: {approach} counts {counts} != engine {reference}")
        print("break counts:", json.dumps(dict(sorted(reference.items()))))


if __name__ == "__main__":
    main()
