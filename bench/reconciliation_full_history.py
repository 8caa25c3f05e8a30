"""The daily run at full history: a busy day reconciled with the whole program already stored.

Opt-in, PostgreSQL only, in scratch databases of its own. The history is the
synthetic 2020 program of `reconciliation_data.generate` (every participant
four monthly tranches: `--participants` 5,600,000 is 22.4 M instructions
with their results), stored as the product stores it (`reconciliation_rows`:
registrations, cards, vouchers, accounts, entitlements, batches,
instructions, results, bank lines, and the ledger entries those facts imply)
in chunks through the product's COPY path, every fact known before the
history's last day H. That day is then reconciled once through
`prakerja reconcile` (the whole program's daily run, timed), so the break
store holds the history's breaks as a real program's would.

Then the busy day: `--busy` new instructions with their results, batches,
bank debits and ledger entries, dated the day of the last run L and stored
through the same path after it, and `prakerja reconcile` for L+1, L+2 and
L+3, each in a child process (wall time, peak RSS). The baseline in the same
run: the same busy day on an empty history (a second scratch database, also
reconciled on L first). After the child processes, in process, the phases of
a second busy day's run (stored on the last day run) as the command runs
them, in one transaction rolled back: the day's rules (`advance_to`), the
reconciliation (with how many participants the scoped run read) and the
integrity signals (as the daily run records them: the groups its changed
keys touch); the rest of a child's time is the start-up.

With `--keep` the loaded history is reused (the load and the run of H are
skipped) and a new busy day goes on top of the latest day reconciled, so the
same command measures again after a change of code:

    flock /work/wt/heavy.lock .venv/bin/python bench/reconciliation_full_history.py \
        --participants 1400000 --keep
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import Engine, create_engine, text  # noqa: E402

from prakerja.kit.progress import SilentReporter  # noqa: E402
from prakerja.ledger.models import LedgerEntry  # noqa: E402
from prakerja.operations.signals import record_signals  # noqa: E402
from prakerja.operations.timeline import advance_to  # noqa: E402
from prakerja.payouts.models import BankStatementLine, PaymentBatch  # noqa: E402
from prakerja.reconciliation.service import latest_run_day, reconcile  # noqa: E402
from prakerja.storage.base import table_of  # noqa: E402
from prakerja.storage.bulk import append_rows, insert_new_rows, update_rows  # noqa: E402
from prakerja.storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from prakerja.storage.migrate import upgrade  # noqa: E402
from reconciliation_data import FIRST_DAY, RECONCILE_DAY, bank_lines, generate  # noqa: E402
from reconciliation_rows import (  # noqa: E402
    bank_rows,
    batch_totals,
    day_rows,
    participant_rows,
)

SERVER = os.environ.get(
    "PRAKERJA_BENCH_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
HISTORY_LOADED = "reconciliation_full_history: participants"


@dataclass(frozen=True)
class Run:
    """One `prakerja reconcile` in a child process."""

    day: dt.date
    seconds: float
    peak_mib: float
    said: str


def _database(name: str, *, fresh: bool) -> Engine:
    """Return an engine on database `name`, created if missing (dropped first if `fresh`)."""
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if exists and fresh:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if fresh or not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(f"{SERVER}/{name}")
    upgrade(engine)
    return engine


def _history_size(engine: Engine) -> int | None:
    """Participants of the stored history, from the database's comment (None before a load)."""
    with engine.connect() as connection:
        said = connection.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            )
        ).scalar()
    if not said or not str(said).startswith(HISTORY_LOADED):
        return None
    return int(str(said).split()[-1])


def _append(engine: Engine, tables: dict[type, pa.Table], *, bulk: bool = False) -> None:
    """Store rows in one transaction: batches only if new, everything else COPied straight in.

    `bulk` (the history's load) skips the foreign-key triggers for the
    transaction (`session_replication_role = replica`): the generated rows
    refer only to rows stored before them, by construction; unique and check
    constraints still hold every row.
    """
    with unit_of_work(engine) as session:
        session.execute(text("SET LOCAL synchronous_commit = off"))
        if bulk:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        for model, rows in tables.items():
            if model is PaymentBatch:
                insert_new_rows(session, table_of(model), rows, key=("batch_id",))
            else:
                append_rows(session, table_of(model), rows)


def _load_history(engine: Engine, participants: int, chunk: int) -> int:
    """Store the program chunk by chunk, then its batches' totals and the bank's lines."""
    totals = []
    stored = 0
    for number, first in enumerate(range(0, participants, chunk)):
        count = min(chunk, participants - first)
        facts = generate(count, seed=2020 + number, first_index=first)
        rows = participant_rows(facts, first_day=FIRST_DAY, first_id=first + 1)
        _append(engine, rows.tables, bulk=True)
        totals.append(batch_totals(rows.sent))
        stored += sum(t.num_rows for t in rows.tables.values())
        print(f"  stored {first + count:,} participants ({stored:,} rows)", flush=True)
    whole = batch_totals(pa.concat_tables(totals))
    instant = dt.datetime.combine(FIRST_DAY, dt.time(1), tzinfo=dt.UTC)
    bank = bank_rows(bank_lines(whole, np.random.default_rng(2020)), instant)
    with unit_of_work(engine) as session:
        update_rows(
            session,
            table_of(PaymentBatch),
            whole.select(["batch_id", "total", "count"]),
            key=["batch_id"],
            assignments={"total_amount_idr": "s.total", "instruction_count": "s.count"},
        )
        for model, rows in bank.items():
            append_rows(session, table_of(model), rows)
        name = session.execute(text("SELECT current_database()")).scalar()
        said = f"{HISTORY_LOADED} {participants}"
        session.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{said}'"))
    return stored + sum(int(t.num_rows) for t in bank.values())


#: Where the product's own ids start: above every id the generated rows give explicitly.
PRODUCT_IDS_FROM = 1_000_000_000


def _sequences_above_generated_ids(engine: Engine) -> None:
    """Move every id sequence past the generated rows' explicit ids (once; idempotent).

    The rows are stored with ids of their own (an entitlement's is its
    participant's number and tranche), which the sequences never saw; the
    day's time rules would otherwise create an entitlement on an id a
    generated row holds.
    """
    query = text(
        "SELECT pg_get_serial_sequence(c.table_name, c.column_name) "
        "FROM information_schema.columns AS c "
        "WHERE c.table_schema = 'public' AND c.column_default LIKE 'nextval(%'"
    )
    with engine.begin() as connection:
        for (sequence,) in connection.execute(query):
            connection.execute(
                text(
                    "SELECT setval(:s, greatest(:floor, (SELECT last_value FROM " + sequence + ")))"
                ),
                {"s": sequence, "floor": PRODUCT_IDS_FROM},
            )


#: The tables every daily run empties or rewrites, which autovacuum cleans soon after a run.
QUEUES = ("reconciliation_changes", "time_rule_changes", "reconciliation_gap_cards")


def _vacuum(engine: Engine, tables: tuple[str, ...] = ()) -> None:
    """Vacuum and analyze `tables` (all), as autovacuum would have on a program's database."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {', '.join(tables)}"))


#: Its %M is a command's own peak resident set, in KB.
TIME = "/usr/bin/time"
#: Options added to every `prakerja reconcile` (`--full` to read the whole history every day).
RECONCILE_OPTIONS: list[str] = []


def _reconcile(engine: Engine, day: dt.date) -> Run:
    """Run `prakerja reconcile --date DAY` in a child process: wall time, peak RSS, last line.

    The peak is `/usr/bin/time`'s: a child forked from this (large) process
    would start its own peak from this process's size.
    """
    command = [str(Path(sys.executable).parent / "prakerja"), "reconcile", "--date", str(day)]
    command += RECONCILE_OPTIONS
    command += ["--db", engine.url.render_as_string(hide_password=False)]
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        start = time.perf_counter()
        child = subprocess.run(
            [TIME, "-f", "%M", "-o", peak.name, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        kib = int(peak.read().split()[-1])  # after any 'Command exited ...' line
    if child.returncode:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{child.stdout}")
    lines = child.stdout.splitlines()
    opened = next((line for line in lines if line.startswith("reconciled ")), "")
    return Run(day=day, seconds=seconds, peak_mib=kib / 1024, said=opened)


def _busy_day(engine: Engine, *, day: dt.date, first_index: int, busy: int) -> None:
    """Store a busy day's facts, dated `day`, for participants numbered from `first_index`."""
    facts = generate(
        busy,
        seed=2020 + (day - FIRST_DAY).days,
        spread_days=1,
        tranches=1,
        first_index=first_index,
        first_day=day,
    )
    tables = day_rows(facts, first_day=day, first_id=first_index + 1)
    prefix = f"BNI-{day:%Y%m%d}-"
    bank = tables[BankStatementLine]
    refs = pc.replace_substring(bank["bank_ref"], "BNI-", prefix, max_replacements=1)
    tables[BankStatementLine] = bank.set_column(0, "bank_ref", refs)
    ledger = tables[LedgerEntry]
    keys = pc.replace_substring(ledger["idempotency_key"], "BANK:BNI-", f"BANK:{prefix}")
    tables[LedgerEntry] = ledger.set_column(0, "idempotency_key", keys).set_column(
        6, "reference", keys
    )
    _append(engine, tables)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def _size(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT pg_size_pretty(pg_database_size(current_database()))")
            ).scalar()
        )


def _last_day(engine: Engine) -> dt.date | None:
    with session_factory(engine)() as session:
        return latest_run_day(session)


def _days(
    engine: Engine, *, last: dt.date, first_index: int, busy: int, runs: int
) -> tuple[list[Run], dict[str, float]]:
    """Store the busy day on `last` and reconcile `runs` days; then time a busy day's phases.

    The phases are those of a second busy day, stored on the last day run,
    as `prakerja reconcile` runs them, in one transaction rolled back at the
    end. They come after the child processes: a rolled-back busy day leaves
    its rows dead in the tables it wrote and the queue rows it deleted
    marked by an aborted transaction, which the next run reads past (with
    autovacuum off here, busy days' children at full history took
    8.1-8.6 s after a rollback against 6.6-6.8 s from a clean state).
    """
    _busy_day(engine, day=last, first_index=first_index, busy=busy)
    days = [last + dt.timedelta(days=offset) for offset in range(1, runs + 1)]
    measured = []
    for day in days:
        measured.append(_reconcile(engine, day))
        _vacuum(engine, QUEUES)
    _busy_day(engine, day=days[-1], first_index=first_index + busy, busy=busy)
    after = days[-1] + dt.timedelta(days=1)
    phases = _day_phases(engine, after)
    _reconcile(engine, after)  # so that a run with --keep starts from a reconciled day
    return measured, phases


def _day_phases(engine: Engine, day: dt.date) -> dict[str, float]:
    """Time the day's rules, the reconciliation and the integrity signals; roll back."""
    timings: dict[str, float] = {}
    with session_factory(engine)() as session:
        start = time.perf_counter()
        advance_to(session, day=day)
        timings["advance_to"] = time.perf_counter() - start
        start = time.perf_counter()
        summary = reconcile(
            session, day=day, actor="bench", reporter=SilentReporter(), engine="duckdb"
        )
        timings["reconcile"] = time.perf_counter() - start
        start = time.perf_counter()
        record_signals(session, summary)
        timings["signals"] = time.perf_counter() - start
        read = "SELECT cards_read FROM reconciliation_runs ORDER BY id DESC LIMIT 1"
        timings["cards read"] = float(session.execute(text(read)).scalar() or 0)
        session.rollback()
    return timings


def _line(label: str, history: Run, empty: Run) -> str:
    return (
        f"{label:<28} {history.seconds:>8.2f}s {history.peak_mib:>8,.0f} MiB"
        f" {empty.seconds:>8.2f}s {empty.peak_mib:>8,.0f} MiB"
        f" {history.seconds / empty.seconds:>6.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5_600_000)
    parser.add_argument("--busy", type=int, default=40_000)
    parser.add_argument("--db", default="fullhistory")
    parser.add_argument("--empty-db", default="fullhistory_empty")
    parser.add_argument("--keep", action="store_true", help="reuse a history already loaded")
    parser.add_argument("--chunk", type=int, default=200_000, help="participants per load chunk")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--full", action="store_true", help="run `prakerja reconcile --full` (the whole history)"
    )
    args = parser.parse_args()
    if args.full:
        RECONCILE_OPTIONS.append("--full")
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")

    history = _database(args.db, fresh=not args.keep)
    loaded = _history_size(history)
    if loaded is not None and loaded != args.participants:
        raise SystemExit(f"{args.db} holds {loaded:,} participants; drop it or pass that size")
    if loaded is None:
        if args.keep:
            history.dispose()
            history = _database(args.db, fresh=True)
        start = time.perf_counter()
        rows = _load_history(history, args.participants, args.chunk)
        load = time.perf_counter() - start
        start = time.perf_counter()
        _vacuum(history)
        vacuum = time.perf_counter() - start
        print(
            f"history: {args.participants:,} participants, {rows:,} rows stored in {load:.0f}s "
            f"(VACUUM ANALYZE {vacuum:.0f}s); database {_size(history)}"
        )
        whole = _reconcile(history, RECONCILE_DAY)
        print(
            f"whole-program daily run of {RECONCILE_DAY}: {whole.seconds:.1f}s, "
            f"peak RSS {whole.peak_mib:,.0f} MiB; {whole.said}"
        )
    else:
        # As autovacuum would have between two days (it is off on the benchmark machine): each
        # run empties a queue of hundreds of thousands of rows, left for the next run to skip.
        start = time.perf_counter()
        _vacuum(history)
        print(f"kept history vacuumed in {time.perf_counter() - start:.0f}s")
    _sequences_above_generated_ids(history)
    last = _last_day(history) or RECONCILE_DAY
    first_index = _count(history, "registrations")
    instructions = _count(history, "instructions")
    print(
        f"history: {instructions:,} instructions, {_count(history, 'partner_results'):,} results, "
        f"{_count(history, 'ledger_entries'):,} ledger entries; database {_size(history)}; "
        f"busy day of {args.busy:,} on {last}"
    )
    empty = _database(args.empty_db, fresh=True)
    _sequences_above_generated_ids(empty)
    _reconcile(empty, last)
    baseline, empty_phases = _days(
        empty, last=last, first_index=first_index, busy=args.busy, runs=args.runs
    )
    measured, history_phases = _days(
        history, last=last, first_index=first_index, busy=args.busy, runs=args.runs
    )
    print(f"  first run on the history: {measured[0].said}")
    print(f"  first run on an empty one: {baseline[0].said}")
    print(f"{'prakerja reconcile':<28} {'full history':>22} {'empty history':>22} {'ratio':>7}")
    for number, (full, bare) in enumerate(zip(measured, baseline, strict=True)):
        print(_line(f"{full.day}{' (busy day)' if number == 0 else ''}", full, bare))
    median = Run(
        day=last,
        seconds=statistics.median(r.seconds for r in measured),
        peak_mib=max(r.peak_mib for r in measured),
        said="",
    )
    bare = Run(
        day=last,
        seconds=statistics.median(r.seconds for r in baseline),
        peak_mib=max(r.peak_mib for r in baseline),
        said="",
    )
    print(_line(f"median of {args.runs} (max RSS)", median, bare))
    for name, seconds in history_phases.items():
        print(f"  {name:<26} {seconds:>10.2f} {empty_phases[name]:>22.2f}  (busy day 2)")
    print(f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    empty.dispose()
    history.dispose()
    with create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT").connect() as admin:
        admin.execute(text(f'DROP DATABASE "{args.empty_db}" WITH (FORCE)'))
    print(f"kept database {args.db} (re-run with --keep)")


if __name__ == "__main__":
    main()
