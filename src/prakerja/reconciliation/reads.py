"""The reconciliation as the staff pages read it: runs, breaks in pages, open-break tallies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ScalarSelect, Select
from sqlalchemy.orm import Session

from prakerja.reconciliation import repository
from prakerja.reconciliation.models import Break, ReconciliationRun
from prakerja.reconciliation.taxonomy import BUCKET_NAMES


def daily_run_up_to(session: Session, *, day: dt.date) -> ReconciliationRun | None:
    """Return the latest daily run on or before `day`, or None."""
    return repository.daily_run_up_to(session, day)


def recent_runs(session: Session, *, limit: int) -> list[ReconciliationRun]:
    """Return the latest reconciliation runs, newest first."""
    return repository.recent_runs(session, limit)


def breaks_page(
    session: Session,
    *,
    day: dt.date,
    break_type: str | None,
    partner_code: str | None,
    wave: int | None,
    age: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> list[Break]:
    """Return up to `limit` breaks matching the filters from `offset`, newest first."""
    conditions = repository.break_conditions(
        day=day,
        break_type=break_type,
        partner_code=partner_code,
        wave=wave,
        age=age,
        status=status,
    )
    return repository.breaks_page(session, conditions, offset=offset, limit=limit)


def open_breaks_by(
    session: Session, *, column: str, day: dt.date, limit: int
) -> list[tuple[str, int]]:
    """Return the breaks open on `day` counted by partner_code or break_type, largest first."""
    rows = repository.open_counts_by(session, column, day, limit)
    return [(str(name or "-"), int(count)) for name, count in rows]


def open_breaks_by_age(session: Session, *, day: dt.date) -> list[tuple[str, int]]:
    """Return the breaks open on `day` per aging bucket, in bucket order."""
    counts = repository.open_counts_by_age(session, day)
    return list(zip(BUCKET_NAMES, counts, strict=True))


def break_partners(session: Session) -> list[str]:
    """Return every partner code breaks name."""
    return repository.break_partner_codes(session)


def find_break(session: Session, *, break_id: str) -> Break | None:
    """Return a break by its id, or None."""
    return repository.find_break(session, break_id)


def open_break_instruction_ids(*, day: dt.date) -> Select[Any]:
    """Return a query of the instruction ids of breaks open at the end of `day`."""
    return repository.open_break_instruction_ids(day)


def change_markers() -> list[ScalarSelect[Any]]:
    """Return scalar subqueries of the latest run's and latest resolution's ids."""
    return [repository.latest_run_id(), repository.latest_resolution_id()]
