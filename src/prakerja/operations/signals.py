"""The daily run's integrity signals: recorded after each reconciliation, however it was started."""

from __future__ import annotations

from sqlalchemy.orm import Session

from prakerja.reconciliation.service import RunSummary
from prakerja.statistics.service import record_day_signals
from prakerja.statistics.touched import ChangedKeys


def record_signals(session: Session, summary: RunSummary) -> tuple[int, int]:
    """Record the integrity signals of the run's day; return (new that day, seen by it).

    A scoped run hands its changed keys on: only the signals' groups they
    touch are evaluated (the same sightings as evaluating everything).
    """
    changed = None
    if summary.changes is not None and summary.scoped_on is not None:
        keys = summary.changes
        changed = ChangedKeys(
            since_run=summary.scoped_on,
            card_numbers=keys["card_number"].combine_chunks(),
            niks=keys["nik"].combine_chunks(),
            voucher_codes=keys["voucher_code"].combine_chunks(),
        )
    return record_day_signals(session, day=summary.day, run=summary.run_id, changed=changed)
