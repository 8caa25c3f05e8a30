"""The daily run's integrity signals on a history: the whole program against the touched groups.

PostgreSQL, in a fresh schema of `--postgres`: the history of
`reconciliation_full_history` (`--participants`), reconciled and its signals
recorded on its day H; then a busy day of `--busy` participants dated H, and
H+1 reconciled as the daily run does (scoped). The signal step of H+1 is
timed both ways on that same state, each rolled back: evaluating the whole
program (the step before issue 15) and the groups the run's changed keys
touch (`record_signals`). Both must record the same sightings.

    flock /work/wt/heavy.lock .venv/bin/python bench/signals_daily.py --participants 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from prakerja.cli.reconciliation import record_signals  # noqa: E402
from prakerja.reconciliation.service import reconcile  # noqa: E402
from prakerja.statistics.models import SignalSighting  # noqa: E402
from prakerja.statistics.service import evaluate_signals  # noqa: E402
from prakerja.storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from prakerja.storage.migrate import upgrade  # noqa: E402
from reconciliation_data import RECONCILE_DAY  # noqa: E402
from reconciliation_full_history import _busy_day, _load_history, _vacuum  # noqa: E402
from registry_bench import drop_schema, postgres_schema  # noqa: E402


def _timed(session: Session, step: Callable[[], object]) -> tuple[float, set[tuple[str, dt.date]]]:
    """Run `step` in a savepoint; return its seconds and the sightings it left, rolled back."""
    nested = session.begin_nested()
    start = time.perf_counter()
    step()
    seconds = time.perf_counter() - start
    seen = set(session.execute(select(SignalSighting.signal_id, SignalSighting.first_seen_on)))
    nested.rollback()
    return seconds, {(str(i), d) for i, d in seen}


def main() -> None:
    """Load, reconcile, and time the signal step both ways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--busy", type=int, default=2_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    url, schema = postgres_schema(args.postgres)
    try:
        engine = make_engine(url)
        upgrade(engine)
        _load_history(engine, args.participants, 200_000)
        _vacuum(engine)
        with unit_of_work(engine) as session:
            record_signals(session, reconcile(session, day=RECONCILE_DAY))
        _busy_day(engine, day=RECONCILE_DAY, first_index=args.participants, busy=args.busy)
        day = RECONCILE_DAY + dt.timedelta(days=1)
        with session_factory(engine)() as session:
            summary = reconcile(session, day=day)
            assert summary.changes is not None, "the run after a daily run is scoped"
            whole, by_all = _timed(session, lambda: evaluate_signals(session, day=day))
            touched, by_touched = _timed(session, lambda: record_signals(session, summary))
            session.rollback()
        assert by_all == by_touched, "the touched groups record what the whole program records"
        print(
            f"signal step of {day} after a busy day of {args.busy:,} on {args.participants:,} "
            f"participants: whole program {whole:.2f}s, touched groups {touched:.2f}s "
            f"({len(summary.changes):,} changed keys; {len(by_all):,} sightings)"
        )
    finally:
        drop_schema(args.postgres, schema)


if __name__ == "__main__":
    main()
