"""Registry benchmark: CLI start-up, importing 1,000,000 registrations, selecting the wave.

Usage: .venv/bin/python bench/registry_bench.py [--rows N] [--postgres URL]

Prints, for the embedded SQLite default and for PostgreSQL:
- `prakerja --help` and `prakerja version` wall time, next to a bare `python -c pass` and
  `python -c "import typer"` measured in the same run;
- the import of N registrations (rows/s), next to the floor of merely parsing the same
  CSV with Arrow;
- the selection of the wave (seconds);
- the import of a later wave while the first one's cards exist: N/5 registrations again
  (the first N/5 NIKs, about one in five holding a card), next to the same import on a
  database with the same registrations and no card. Registering a card holder copies the
  registration for the integrity signals and queues it for the reconciliation (0016/0017).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Engine, create_engine, text

from prakerja.demo.synth import (
    PARTICIPANT_COLUMNS,
    ParticipantFactory,
    WavePlan,
    applicants,
    write_csv,
)
from prakerja.ingest.pipeline import import_files
from prakerja.registry.loaders import ParticipantsLoader, WavesLoader
from prakerja.registry.service import select_wave
from prakerja.storage.db import make_engine, unit_of_work
from prakerja.storage.migrate import upgrade

WORK = Path(__file__).parent / "work"
PYTHON = sys.executable
PRAKERJA = str(Path(PYTHON).with_name("prakerja"))


def wall(command: list[str], runs: int = 7) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup() -> None:
    """Print CLI start-up times next to the interpreter's own."""
    bare = wall([PYTHON, "-c", "pass"])
    typer = wall([PYTHON, "-c", "import typer"])
    helped = wall([PRAKERJA, "--help"])
    version = wall([PRAKERJA, "version"])
    print(
        f"start-up: python -c pass {bare:.3f}s | import typer {typer:.3f}s | "
        f"prakerja --help {helped:.3f}s | prakerja version {version:.3f}s "
        f"(prakerja version = {version / typer:.2f}x of importing typer alone)"
    )


def registrations_file(rows: int) -> Path:
    """Write (once) a CSV of `rows` realistic registrations for wave 1."""
    path = WORK / f"participants-{rows}.csv"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        plan = WavePlan(
            1, "PANDEMIC_2020", dt.date(2020, 4, 11), dt.date(2020, 4, 16), rows, rows // 5
        )
        write_csv(path, PARTICIPANT_COLUMNS, applicants(plan, ParticipantFactory(random.Random(7))))
    return path


def waves_file(rows: int) -> Path:
    path = WORK / "waves.csv"
    path.write_text(
        "wave,scheme,opens_on,closes_on,province_code,quota\n"
        f"1,PANDEMIC_2020,2020-04-11,2020-04-16,*,{rows // 5}\n"
        f"2,PANDEMIC_2020,2020-04-18,2020-04-23,*,{rows // 5}\n"
    )
    return path


def later_wave_file(source: Path, rows: int) -> Path:
    """Write (once) wave 2's registrations: the first `rows` NIKs of `source`, registered again."""
    path = WORK / f"{source.stem}-wave2-{rows}.csv"
    if not path.exists():
        text_columns = pacsv.ConvertOptions(
            column_types=dict.fromkeys(PARTICIPANT_COLUMNS, pa.string())
        )
        first = pacsv.read_csv(source, convert_options=text_columns).slice(0, rows)
        for name, value in (("wave", "2"), ("registered_at", "2020-04-19T10:00:00+07:00")):
            first = first.set_column(
                first.schema.get_field_index(name), name, pa.array([value] * len(first))
            )
        pacsv.write_csv(first, path)
    return path


def later_wave(engine: Engine, source: Path) -> tuple[int, float]:
    """Import wave 2's file; return the rows loaded and the seconds it took."""
    start = time.perf_counter()
    summary = import_files(engine, ParticipantsLoader(), [source])
    return summary.loaded, time.perf_counter() - start


def postgres_schema(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(base).url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    admin = create_engine(make_engine(base).url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def floor_load(engine: Engine, source: Path) -> float:
    """Time the plainest bulk load of the same file into an empty registrations table.

    SQLite: one `executemany` of ready-made tuples (no checks, no conversions
    timed). PostgreSQL: one `COPY ... FROM STDIN` of the raw CSV. This is what
    the database and its driver cost without the product around them.
    """
    columns = ", ".join(PARTICIPANT_COLUMNS)
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        if engine.dialect.name == "sqlite":
            with source.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                next(reader)
                rows = [tuple(row) for row in reader]
            marks = ", ".join("?" * len(PARTICIPANT_COLUMNS))
            start = time.perf_counter()
            raw.executemany(
                f"INSERT OR IGNORE INTO registrations ({columns}) VALUES ({marks})", rows
            )
        else:
            data = source.read_bytes()
            start = time.perf_counter()
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    f"COPY registrations ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                copy.write(data)
    return time.perf_counter() - start  # the commit included


def measure(label: str, urls: tuple[str, str], rows: int, source: Path) -> None:
    """On two fresh databases: the floor load, then the import and the selection."""
    floor_engine = make_engine(urls[0])
    upgrade(floor_engine)
    floor = floor_load(floor_engine, source)
    floor_engine.dispose()
    engine = make_engine(urls[1])
    upgrade(engine)
    print(
        f"{label}: floor (bare driver load of the same rows): {floor:.1f}s "
        f"= {rows / floor:,.0f} rows/s"
    )
    import_files(engine, WavesLoader(), [waves_file(rows)])
    start = time.perf_counter()
    summary = import_files(engine, ParticipantsLoader(), [source])
    imported = time.perf_counter() - start
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        result = select_wave(session, wave=1, day=dt.date(2020, 4, 17), seed="bench")
    selected = time.perf_counter() - start
    print(
        f"{label}: import {summary.loaded:,} loaded / {rows:,} rows in {imported:.1f}s "
        f"= {rows / imported:,.0f} rows/s; selection of {result.applicants:,} applicants "
        f"({result.selected:,} selected) in {selected:.1f}s"
    )
    second = later_wave_file(source, rows // 5)
    loaded, with_cards = later_wave(engine, second)
    engine.dispose()
    # The same registrations with no card: the floor database, emptied of its rows.
    floor_engine = make_engine(urls[0])
    with floor_engine.begin() as connection:
        connection.execute(text("DELETE FROM registrations"))
    import_files(floor_engine, WavesLoader(), [waves_file(rows)])
    import_files(floor_engine, ParticipantsLoader(), [source])
    _, without = later_wave(floor_engine, second)
    floor_engine.dispose()
    print(
        f"{label}: later wave, {loaded:,} registered again: {with_cards:.2f}s "
        f"= {loaded / with_cards:,.0f} rows/s with {result.selected:,} cards, "
        f"{without:.2f}s = {loaded / without:,.0f} rows/s with none "
        f"({with_cards / without:.2f}x)"
    )


def main() -> None:
    """Run every registry benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    startup()
    source = registrations_file(args.rows)
    start = time.perf_counter()
    pacsv.read_csv(source)
    floor = time.perf_counter() - start
    print(
        f"baseline: parsing the CSV with Arrow alone: {floor:.2f}s "
        f"({args.rows / floor:,.0f} rows/s)"
    )
    for stale in WORK.glob("bench-registry*.db*"):
        stale.unlink()
    sqlite_urls = (
        f"sqlite:///{WORK / 'bench-registry-floor.db'}",
        f"sqlite:///{WORK / 'bench-registry.db'}",
    )
    measure("SQLite", sqlite_urls, args.rows, source)
    (floor_url, floor_schema), (url, schema) = (
        postgres_schema(args.postgres),
        postgres_schema(args.postgres),
    )
    try:
        measure("PostgreSQL", (floor_url, url), args.rows, source)
    finally:
        drop_schema(args.postgres, floor_schema)
        drop_schema(args.postgres, schema)


if __name__ == "__main__":
    main()
