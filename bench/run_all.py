"""Run every benchmark of this folder one after another and print each one's figures.

`make bench` calls this. Sizes are the issues' own (`--size full`, the default) or a
tenth of them for a quick look (`--size quick`). PostgreSQL runs use a scratch
database of their own (`prakerja_bench`, created when missing, dropped and
re-created for the scripts that clear a whole database), never the test database.
The whole-program reconciliation (5.6 million participants) needs about an hour and
15 GB of disk and runs only with `--with-at-scale`.

    .venv/bin/python bench/run_all.py [--size quick|full] [--only NAME ...] [--with-at-scale]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
SCRATCH_DATABASE = "prakerja_bench"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Bench:
    """One benchmark script with its arguments at the issue's size."""

    name: str
    script: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    clears_database: bool = False


def benches(scratch_url: str) -> list[Bench]:
    """Every benchmark, at the sizes the issues name, against the scratch database."""
    return [
        Bench(
            "registry",
            "registry_bench.py",
            ("--rows", "1000000", "--postgres", scratch_url),
            ("--rows", "100000", "--postgres", scratch_url),
        ),
        Bench(
            "marketplace-events",
            "marketplace_events.py",
            ("--events", "1000000", "--pg", scratch_url),
            ("--events", "100000", "--pg", scratch_url),
            clears_database=True,
        ),
        Bench(
            "redeem-status",
            "redeem_status_load.py",
            ("--pg", scratch_url, "--seconds", "20"),
            ("--pg", scratch_url, "--seconds", "5"),
            clears_database=True,
        ),
        Bench("payouts-sqlite", "payouts_bench.py", ("--cards", "40000"), ("--cards", "4000")),
        Bench(
            "payouts-postgresql",
            "payouts_bench.py",
            ("--cards", "40000", "--db", scratch_url),
            ("--cards", "4000", "--db", scratch_url),
        ),
        Bench(
            "payouts-1m-sqlite",
            "payouts_bench.py",
            ("--cards", "1000000"),
            ("--cards", "100000"),
        ),
        Bench(
            "partner-upload",
            "partner_upload.py",
            ("--cards", "1000000"),
            ("--cards", "100000"),
        ),
        Bench(
            "reconciliation-busy-day",
            "reconciliation_busy_day.py",
            ("--instructions", "40000"),
            ("--instructions", "4000", "--runs", "2"),
        ),
        Bench(
            "statistics",
            "statistics_at_scale.py",
            ("--participants", "5600000"),
            ("--participants", "560000"),
        ),
    ]


AT_SCALE = Bench(
    "reconciliation-at-scale",
    "reconciliation_at_scale.py",
    ("--participants", "5600000"),
    ("--participants", "560000"),
)


def recreate_scratch_database() -> str:
    """Drop and create the scratch PostgreSQL database; return its URL."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=SCRATCH_DATABASE).render_as_string(False)


def run(bench: Bench, quick: bool, scratch_url: str) -> tuple[int, float]:
    """Run one benchmark in its own process, its output streamed; return exit code and seconds."""
    arguments = bench.quick if quick else bench.full
    print(f"\n== {bench.name}: bench/{bench.script} {' '.join(arguments)}", flush=True)
    environment = {**os.environ, "PRAKERJA_BENCH_POSTGRES_URL": scratch_url}
    started = time.perf_counter()
    command = [sys.executable, str(HERE / bench.script), *arguments]
    code = subprocess.call(command, env=environment)
    return code, time.perf_counter() - started


def main() -> None:
    """Run the chosen benchmarks in turn and end with a table of their exit codes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("quick", "full"), default="full")
    parser.add_argument("--only", action="append", default=[], help="a benchmark's name")
    parser.add_argument("--with-at-scale", action="store_true")
    args = parser.parse_args()
    scratch_url = recreate_scratch_database()
    chosen = benches(scratch_url) + ([AT_SCALE] if args.with_at_scale else [])
    if args.only:
        chosen = [bench for bench in chosen if bench.name in args.only]
    outcomes: list[tuple[str, int, float]] = []
    for bench in chosen:
        if bench.clears_database:
            recreate_scratch_database()
        code, seconds = run(bench, args.size == "quick", scratch_url)
        outcomes.append((bench.name, code, seconds))
    print("\nbenchmark                    exit  seconds")
    for name, code, seconds in outcomes:
        print(f"{name:<28} {code:>4} {seconds:>8.1f}")
    sys.exit(max((code for _, code, _ in outcomes), default=0))


if __name__ == "__main__":
    main()
