"""Escrow books from the ledger's daily totals, against a raw SUM over the entries (issue 15).

    createdb -h 127.0.0.1 -U postgres ledger_totals_bench
    PYTHONPATH=src python bench/ledger_books.py \
        --db postgresql+psycopg://postgres@127.0.0.1:5432/ledger_totals_bench --entries 20000000

Loads N ledger entries into the scratch database (server-side `INSERT ... SELECT` over a
series, the totals' triggers dropped during the load, like a database migrated from 0012),
times the backfill migration 0013 runs (`ledger.totals.rebuild`), then times
`reconciliation.sources.escrow_books` (the totals) against the old path kept here (two
SUMs with LIKE over every entry effective by the day) for three days, alternating, and
checks both give the same books. Last, in a separate fresh schema (or SQLite file) with
every index, it times inserting `--probe` entries with the triggers and without, in the
same run: one `INSERT ... SELECT` statement (as the set-based steps post) and
`post_movements` (storage.bulk: COPY on PostgreSQL, INSERT OR IGNORE on SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from prakerja.ledger.service import LEDGER_INSERT, post_movements
from prakerja.ledger.totals import create_triggers, drop_triggers, rebuild
from prakerja.reconciliation.sources import EscrowBooks, escrow_books
from prakerja.storage.db import make_engine, session_factory
from prakerja.storage.migrate import ensure_current

FIRST = dt.date(2020, 4, 11)
DAYS = 600
PARTNERS = ("BNI", "OVO", "GOPAY", "LINKAJA", "DANA")
PLATFORMS = ("TOKOPEDIA", "BUKALAPAK", "SKILLACADEMY", "PINTARIA", "SEKOLAHMU", "PIJARMAHIR")


def _pick(names: tuple[str, ...], index: str) -> str:
    whens = " ".join(f"WHEN {n} THEN '{name}'" for n, name in enumerate(names))
    return f"(CASE ({index}) % {len(names)} {whens} END)"


def _movements(dialect: str, start: int, stop: int, total: int) -> str:
    """Return a SELECT of entries start..stop-1: a program's mix of movements, over 600 days."""
    card = "'TRAINING_BALANCE:' || CAST(5200000000000000 + i / 10 AS TEXT)"
    partner, platform = _pick(PARTNERS, "i / 10"), _pick(PLATFORMS, "i / 10")
    kinds = [  # (entry kind, debit, credit, amount)
        ("'CARD_FUNDED'", card, "'PROGRAM_FUND'", 1_000_000),
        ("'TRAINING_PURCHASE'", f"'PLATFORM_PAYABLE:' || {platform}", card, 750_000),
        ("'DUE'", "'INCENTIVE_PAYABLE'", "'PROGRAM_FUND'", 600_000),
        ("'SENT'", f"'PARTNER_SETTLEMENT:' || {partner}", "'INCENTIVE_PAYABLE'", 600_000),
        ("'PAID'", "'PAID_OUT'", f"'PARTNER_SETTLEMENT:' || {partner}", 600_000),
        ("'ESCROW_DEBIT'", f"'PARTNER_FUNDS:' || {partner}", "'ESCROW'", 600_000),
        ("'ESCROW_CREDIT'", "'ESCROW'", "'ESCROW_FUNDING:KEMENKEU'", 2_400_000),
        ("'CLAIM'", "'RECOVERY_RECEIVABLE:REC-' || CAST(i AS TEXT)", "'RECOVERY_CLAIMED'", 600_000),
        ("'REPAID'", "'ESCROW'", "'ESCROW_FUNDING:REPAYMENT'", 100_000),
        (
            "'WRITE_OFF'",
            f"'ESCROW_WRITTEN_OFF:' || {partner}",
            f"'PARTNER_FUNDS:' || {partner}",
            6_500,
        ),
    ]

    def case(column: int) -> str:
        whens = " ".join(f"WHEN {n} THEN {k[column]}" for n, k in enumerate(kinds))
        return f"CASE i % {len(kinds)} {whens} END"

    offset = f"CAST(i % {max(total, 1)} AS BIGINT) * {DAYS - 1} / {max(total, 1)}"
    if dialect == "postgresql":
        day, series = (
            f"DATE '{FIRST}' + CAST({offset} AS INTEGER)",
            (f"generate_series({start}, {stop - 1}) AS s(i)"),
        )
        head = ""
    else:
        day = f"date('{FIRST}', '+' || ({offset}) || ' days')"
        head = (
            f"WITH RECURSIVE s(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {stop - 1}) "
        )
        series = "s"
    return (
        f"{head}SELECT 'B:' || CAST(i AS TEXT), {case(0)}, {case(1)}, {case(2)}, {case(3)}, "
        f"{day}, 'R' || CAST(i AS TEXT), CURRENT_TIMESTAMP FROM {series}"
    )


def old_books(session: Session, *, day: dt.date) -> EscrowBooks:
    """The books as escrow_books summed them before the totals: two scans of the entries."""

    def moved(side: str, kind: str) -> str:
        return f"CASE WHEN {side} = '{kind}' OR {side} LIKE '{kind}:%' THEN amount_idr ELSE 0 END"

    kinds = ("ESCROW_FUNDING", "PAID_OUT", "PARTNER_SETTLEMENT", "ESCROW_WRITTEN_OFF")
    sums = ", ".join(
        f"coalesce(sum({moved('debit_account', k)} - {moved('credit_account', k)}), 0)"
        for k in kinds
    )
    where = "WHERE effective_on <= :day"
    row = session.execute(text(f"SELECT {sums} FROM ledger_entries {where}"), {"day": day}).one()
    funding, paid, flight, written = (int(v) for v in row)
    repayment = "ESCROW_FUNDING:REPAYMENT"
    repaid = -int(
        session.execute(
            text(
                "SELECT coalesce(sum(CASE WHEN debit_account = :a THEN amount_idr ELSE 0 END"
                f" - CASE WHEN credit_account = :a THEN amount_idr ELSE 0 END), 0) "
                f"FROM ledger_entries {where}"
            ),
            {"a": repayment, "day": day},
        ).scalar_one()
    )
    return EscrowBooks(
        funded_idr=-funding - repaid,
        paid_idr=paid,
        in_flight_idr=flight,
        repaid_idr=repaid,
        written_off_idr=written,
    )


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _execute(engine: Engine, *statements: str) -> float:
    started = time.perf_counter()
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    return time.perf_counter() - started


def load(engine: Engine, *, entries: int, chunk: int) -> None:
    """Fill ledger_entries with `entries` rows, the triggers dropped, then backfill the totals."""
    dialect = engine.dialect.name
    with engine.connect() as connection:
        have = int(connection.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one())
    if have != entries:
        _execute(engine, *drop_triggers(dialect), "DELETE FROM ledger_entries")
        if dialect == "postgresql":
            _execute(
                engine,
                "DROP INDEX IF EXISTS ix_ledger_entries_debit",
                "DROP INDEX IF EXISTS ix_ledger_entries_credit",
            )
        started = time.perf_counter()
        for start in range(0, entries, chunk):
            stop = min(entries, start + chunk)
            _execute(engine, LEDGER_INSERT + _movements(dialect, start, stop, entries))
            print(f"  loaded {stop:,} entries ({time.perf_counter() - started:.0f} s)", flush=True)
        if dialect == "postgresql":
            _execute(engine, "ANALYZE ledger_entries")
        _execute(engine, *drop_triggers(dialect), *create_triggers(dialect))
        seconds = _execute(engine, *rebuild())
        print(f"backfill (migration 0013's rebuild) of {entries:,} entries: {seconds:.1f} s")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM ledger_day_totals")).scalar_one()
    print(f"ledger_entries: {entries:,} rows; ledger_day_totals: {rows:,} rows")


def compare_books(engine: Engine, *, rounds: int) -> None:
    """Time the old and the new books for three days, alternating; check they agree."""
    days = [FIRST + dt.timedelta(days=d) for d in (30, DAYS // 2, DAYS + 5)]
    for day in days:
        old_times, new_times = [], []
        for _ in range(rounds):
            with session_factory(engine)() as session:
                old_seconds, old = _timed(lambda: old_books(session, day=day))  # noqa: B023
            with session_factory(engine)() as session:
                new_seconds, new = _timed(lambda: escrow_books(session, day=day))  # noqa: B023
            assert old == new, (old, new)
            old_times.append(old_seconds)
            new_times.append(new_seconds)
        old_median, new_median = statistics.median(old_times), statistics.median(new_times)
        print(
            f"escrow_books {day}: raw SUM over entries {old_median:.3f} s, daily totals "
            f"{new_median * 1000:.1f} ms (medians of {rounds}), {old_median / new_median:,.0f}x"
        )


def probe_url(url: str, dialect: str) -> str:
    """Return a fresh database for the insert probe next to the loaded one."""
    if dialect == "postgresql":
        separator = "&" if "?" in url else "?"
        return f"{url}{separator}options=-csearch_path%3Dinsert_probe"
    return url.replace(".db", "-probe.db")


def probe_inserts(url: str, *, count: int, rounds: int) -> None:
    """Time inserting `count` entries with the totals' triggers and without, alternating."""
    dialect = make_engine(url).dialect.name
    if dialect == "postgresql":
        with make_engine(url).begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS insert_probe CASCADE"))
            connection.execute(text("CREATE SCHEMA insert_probe"))
    else:
        Path(probe_url(url, dialect).removeprefix("sqlite:///")).unlink(missing_ok=True)
    engine = make_engine(probe_url(url, dialect))
    ensure_current(engine)
    offset = 10**9
    results: dict[tuple[str, bool], list[float]] = {}
    for round_ in range(rounds):
        for triggers in (True, False) if round_ % 2 == 0 else (False, True):
            _execute(engine, *drop_triggers(dialect))
            if triggers:
                _execute(engine, *create_triggers(dialect))
            start = offset
            offset += count
            seconds = _execute(engine, LEDGER_INSERT + _movements(dialect, start, offset, count))
            results.setdefault(("INSERT ... SELECT", triggers), []).append(seconds)
            start = offset
            offset += count
            seconds = _post(engine, start, offset)
            results.setdefault(("post_movements", triggers), []).append(seconds)
    for path in ("INSERT ... SELECT", "post_movements"):
        on = statistics.median(results[(path, True)])
        off = statistics.median(results[(path, False)])
        print(
            f"insert {count:,} entries by {path}: {off:.2f} s without the triggers, {on:.2f} s "
            f"with them (medians of {rounds}), +{(on / off - 1) * 100:.0f}%"
        )
    engine.dispose()
    if dialect == "postgresql":
        with make_engine(url).begin() as connection:
            connection.execute(text("DROP SCHEMA insert_probe CASCADE"))


def _post(engine: Engine, start: int, stop: int) -> float:
    """Post entries start..stop-1 through post_movements; return the seconds (commit included)."""
    with engine.connect() as connection:
        select = _movements(engine.dialect.name, start, stop, stop - start)
        rows = connection.execute(text(select)).fetchall()
    columns = list(zip(*rows, strict=True))
    started = time.perf_counter()
    with session_factory(engine)() as session:
        post_movements(
            session,
            keys=pa.array(columns[0]),
            kind=pa.array(columns[1]),
            debit=pa.array(columns[2]),
            credit=pa.array(columns[3]),
            amounts=pa.array(columns[4], pa.int64()),
            day=pa.array([dt.date.fromisoformat(str(d)) for d in columns[5]], pa.date32()),
            references=pa.array(columns[6]),
        )
        session.commit()
    return time.perf_counter() - started


def main() -> None:
    """Parse the options, load, compare the books and probe the inserts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--entries", type=int, default=20_000_000)
    parser.add_argument("--chunk", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe", type=int, default=1_000_000)
    arguments = parser.parse_args()
    print(f"load average at start: {Path('/proc/loadavg').read_text().strip()}")
    engine = make_engine(arguments.db)
    ensure_current(engine)
    load(engine, entries=arguments.entries, chunk=arguments.chunk)
    compare_books(engine, rounds=arguments.rounds)
    engine.dispose()
    if arguments.probe:
        probe_inserts(arguments.db, count=arguments.probe, rounds=arguments.rounds)
    print(f"load average at end: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
