"""A busy day: 40,000 instructions with their results, reconciled from the real database.

On SQLite (a file) and on PostgreSQL (a fresh schema; skipped when the
server is not reachable), the day's facts are loaded first - cards,
entitlements, one batch per partner, 40,000 instructions, their results,
the escrow debits, the participants' trainings and accounts, and the ledger
entries those facts imply (cards funded, purchases, incentives due, sent,
paid or failed, the bank's lines) - and that load is reported separately
("imports"). Then `prakerja reconcile` does its work
(`reconciliation.service.reconcile` and the commit): read the tables as
Arrow, run the engine in DuckDB, compare with the stored breaks and write
them, compute the gap report and the escrow proof. The first run opens the
day's breaks; the next runs (the following days) find them again. Measured
in the same run, as baselines on a noisy machine: reading the facts alone
(`read_facts`), summing the ledger for the escrow proof (`escrow_books`) and
the engine alone on those facts (pairing, conditions, gap, escrow proof in
DuckDB; no break store).

    .venv/bin/python bench/reconciliation_busy_day.py [--instructions 40000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import Engine, create_engine, text  # noqa: E402

from prakerja.reconciliation.service import reconcile  # noqa: E402
from prakerja.storage.base import table_of  # noqa: E402
from prakerja.storage.bulk import insert_new_rows  # noqa: E402
from prakerja.storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from prakerja.storage.migrate import upgrade  # noqa: E402
from reconciliation_data import FIRST_DAY, generate  # noqa: E402
from reconciliation_rows import day_rows, phases  # noqa: E402

POSTGRES = os.environ.get(
    "PRAKERJA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DAY = FIRST_DAY + dt.timedelta(days=1)


def _tables(instructions: int) -> dict[type, pa.Table]:
    """The day's rows for each table, built from the synthetic facts."""
    return day_rows(generate(instructions, spread_days=1, tranches=1), first_day=FIRST_DAY)


def _load(engine: Engine, tables: dict[type, pa.Table]) -> float:
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        for model, rows in tables.items():
            insert_new_rows(session, table_of(model), rows)
    return time.perf_counter() - start


def _reconcile_runs(engine: Engine, runs: int) -> list[float]:
    seconds = []
    for offset in range(runs):
        start = time.perf_counter()
        with session_factory(engine)() as session:
            summary = reconcile(session, day=DAY + dt.timedelta(days=offset), actor="bench")
            session.commit()
        seconds.append(time.perf_counter() - start)
        if offset == 0 and summary.gap and summary.escrow:
            print(
                f"    first run opened {summary.opened} breaks; {summary.gap.sentence()} "
                f"Escrow: the bank's closing balance less the ledger's is "
                f"Rp {summary.escrow.difference_idr:,}."
            )
    return seconds


def _report(name: str, engine: Engine, instructions: int, runs: int) -> None:
    upgrade(engine)
    tables = _tables(instructions)
    loaded = _load(engine, tables)
    rows = sum(t.num_rows for t in tables.values())
    print(f"{name}: imports {loaded:.2f}s ({rows:,} rows; not part of the figure)")
    seconds = _reconcile_runs(engine, runs)
    print(
        f"{name}: reconcile {instructions:,} instructions with results: "
        f"first run {seconds[0]:.2f}s "
        f"(every break new), then median {statistics.median(seconds[1:]):.2f}s "
        f"(min {min(seconds[1:]):.2f}s) over {runs - 1} days"
    )
    measured = phases(engine, DAY + dt.timedelta(days=runs - 1), runs - 1)
    reading, ledger, alone = measured.read_facts, measured.escrow_books, measured.engine
    print(
        f"{name}: baselines (median of {runs - 1}): reading the facts {reading:.2f}s, "
        f"the ledger's books {ledger:.2f}s, the engine alone {alone:.2f}s; "
        f"a next day's run is {statistics.median(seconds[1:]) / alone:.1f}x the engine alone"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instructions", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = make_engine(f"sqlite:///{Path(folder) / 'busy-day.db'}")
        _report("SQLite", sqlite, args.instructions, args.runs)
        sqlite.dispose()
    schema = f"bench_busy_day_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(make_engine(POSTGRES).url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"PostgreSQL: skipped ({type(exc).__name__})")
        return
    try:
        separator = "&" if "?" in POSTGRES else "?"
        postgres = make_engine(f"{POSTGRES}{separator}options=-csearch_path%3D{schema}")
        _report("PostgreSQL", postgres, args.instructions, args.runs)
        postgres.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
