"""The daily run on top of a history: scoped (only what changed) against `--full`, same day.

On PostgreSQL (a fresh schema), a history of `--history` instructions with
their participants, results, batches, debits and ledger is loaded (the busy
day's rows, `reconciliation_busy_day._tables`) and reconciled once (a full
run: the first ever). Then a busy day of `--instructions` new instructions
with their results arrives, ids and dates moved to the days after, and that
day is reconciled twice in the same database: first as the daily run does
(by default it reads only the keys that changed), then full
(reading the whole history again). Both must find the same breaks, gap
report and escrow proof; the figures are seconds of `reconcile` plus the
commit, as `prakerja reconcile --date D [--full]` does.

    .venv/bin/python bench/reconciliation_scoped_day.py [--history 1000000] [--instructions 40000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import create_engine, select, text  # noqa: E402

from prakerja.reconciliation.models import ReconciliationRun  # noqa: E402
from prakerja.reconciliation.service import RunSummary, reconcile  # noqa: E402
from prakerja.storage.db import make_engine, session_factory  # noqa: E402
from prakerja.storage.migrate import upgrade  # noqa: E402
from reconciliation_busy_day import DAY, POSTGRES, _load, _tables  # noqa: E402

#: Id columns made unique per day by a prefix, by replacing their first two digits, by an offset.
_PREFIXED = frozenset(
    {
        "event_id",
        "voucher_code",
        "account_id",
        "partner_txn_id",
        "bank_ref",
        "batch_id",
        "instruction_id",
        "idempotency_key",
        "reference",
    }
)
_FIXED_WIDTH = frozenset({"card_number", "nik", "kk_number"})
_OFFSET = frozenset({"id", "registration_id", "purchase_event_id", "entitlement_id"})


def _moved(table: pa.Table, days: int) -> pa.Table:
    """The rows of another day: ids made new, every date and instant `days` later."""
    for position, field in enumerate(table.schema):
        column = table.column(position)
        name = field.name
        if name in _PREFIXED and pa.types.is_string(field.type):
            column = pc.binary_join_element_wise(f"D{days}", column, "-")
        elif name in _FIXED_WIDTH:
            column = pc.replace_substring_regex(column, "^..", str(60 + days))
        elif name in _OFFSET:
            column = pc.add(column, pa.scalar(days * 10_000_000, field.type))
        elif pa.types.is_date(field.type):
            column = pc.cast(pc.add(pc.cast(column, pa.int32()), days), pa.int32()).cast(
                pa.date32()
            )
        elif pa.types.is_timestamp(field.type):
            column = pc.add(column, pa.scalar(dt.timedelta(days=days)))
        table = table.set_column(position, field, column)
    return table


def _run(engine: object, day: dt.date, *, full: bool) -> tuple[float, RunSummary, object]:
    start = time.perf_counter()
    with session_factory(engine)() as session:  # type: ignore[arg-type]
        summary = reconcile(session, day=day, actor="bench", full=full)
        session.commit()
        seconds = time.perf_counter() - start
        run = session.scalars(
            select(ReconciliationRun).order_by(ReconciliationRun.id.desc())
        ).first()
        assert run is not None
        read = (run.scoped, run.cards_read)
    return seconds, summary, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--instructions", type=int, default=40_000)
    args = parser.parse_args()
    schema = f"bench_scoped_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(POSTGRES).url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in POSTGRES else "?"
        engine = make_engine(f"{POSTGRES}{separator}options=-csearch_path%3D{schema}")
        upgrade(engine)
        history = _tables(args.history)
        loaded = _load(engine, history)
        rows = sum(t.num_rows for t in history.values())
        print(f"history: {args.history:,} instructions, {rows:,} rows loaded in {loaded:.1f}s")
        seconds, _, _ = _run(engine, DAY, full=False)
        print(f"first run (full, every break new) on {DAY}: {seconds:.2f}s")
        busy = {model: _moved(table, 2) for model, table in _tables(args.instructions).items()}
        loaded = _load(engine, busy)
        print(f"busy day: {args.instructions:,} instructions with results loaded in {loaded:.1f}s")
        day = DAY + dt.timedelta(days=2)
        scoped_s, scoped, scoped_read = _run(engine, day, full=False)
        full_s, full, full_read = _run(engine, day, full=True)
        print(f"busy day {day}, scoped {scoped_read}: {scoped_s:.2f}s")
        print(f"busy day {day}, --full {full_read}: {full_s:.2f}s")
        print(f"scoped is {full_s / scoped_s:.1f}x faster than --full on the same day")
        same = (scoped.open_by_type, scoped.gap, scoped.escrow) == (
            full.open_by_type,
            full.gap,
            full.escrow,
        )
        print(f"same open breaks, gap report and escrow proof: {same}; {full.open_by_type}")
        if full.gap:
            print(full.gap.sentence())
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
