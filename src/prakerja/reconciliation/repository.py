"""The reconciliation's statements: runs, breaks and operators' resolutions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import ScalarSelect, Select, and_, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from prakerja.reconciliation.models import Break, BreakResolution, ReconciliationRun
from prakerja.reconciliation.taxonomy import (
    AGING_BUCKETS,
    BUCKET_NAMES,
    BreakStatus,
    Resolution,
    RunMode,
)
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows


def latest_run_day(session: Session) -> dt.date | None:
    """Return the latest business day reconciled, or None before the first run."""
    return session.scalar(select(func.max(ReconciliationRun.business_date)))


def daily_run_starts(session: Session) -> list[tuple[dt.date, dt.datetime | None]]:
    """Return (business day, started at) of every daily run, in the order they ran."""
    rows = session.execute(
        select(ReconciliationRun.business_date, ReconciliationRun.started_at)
        .where(ReconciliationRun.mode == RunMode.DAILY.value)
        .order_by(ReconciliationRun.started_at, ReconciliationRun.id)
    )
    return [(row.business_date, row.started_at) for row in rows]


def latest_daily_run(session: Session) -> ReconciliationRun | None:
    """Return the daily run of the latest business day, or None."""
    return session.scalars(
        select(ReconciliationRun)
        .where(ReconciliationRun.mode == RunMode.DAILY.value)
        .order_by(ReconciliationRun.business_date.desc(), ReconciliationRun.id.desc())
        .limit(1)
    ).first()


def latest_run(session: Session) -> ReconciliationRun | None:
    """Return the run made last (daily or rebuild), or None."""
    return session.scalars(
        select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(1)
    ).first()


def add_run(session: Session, run: ReconciliationRun) -> ReconciliationRun:
    """Store a new run (flushed, so that it has its id)."""
    session.add(run)
    session.flush()
    return run


def resolutions_in_order(session: Session) -> list[BreakResolution]:
    """Return the operators' resolutions in the order they were made."""
    query = select(BreakResolution).order_by(BreakResolution.recorded_at, BreakResolution.id)
    return list(session.scalars(query))


def add_resolution(session: Session, resolution: BreakResolution) -> None:
    """Store an operator's resolution."""
    session.add(resolution)


def find_break(session: Session, break_id: str) -> Break | None:
    """Return a break by its id, or None."""
    return session.get(Break, break_id)


def delete_breaks(session: Session) -> None:
    """Delete every break (a rebuild finds them again)."""
    session.execute(delete(Break))


def open_counts_by_type(session: Session, day: dt.date | None = None) -> dict[str, int]:
    """Return how many breaks are open now (or were on `day`), per type that has any."""
    condition = (
        Break.status == BreakStatus.OPEN.value
        if day is None
        else and_(
            Break.detected_on <= day, or_(Break.resolved_on.is_(None), Break.resolved_on > day)
        )
    )
    rows = session.execute(
        select(Break.break_type, func.count()).where(condition).group_by(Break.break_type)
    )
    return {str(kind): int(count) for kind, count in rows}


def changed_on(session: Session, day: dt.date) -> tuple[int, int]:
    """Return how many breaks were detected and how many resolved on `day`."""
    opened = session.scalar(select(func.count()).where(Break.detected_on == day)) or 0
    resolved = session.scalar(select(func.count()).where(Break.resolved_on == day)) or 0
    return int(opened), int(resolved)


def live_breaks(session: Session, schema: pa.Schema) -> pa.Table:
    """Return the columns `schema` names of every break open or still holding."""
    query = select(*(getattr(Break, name) for name in schema.names)).where(
        or_(Break.status == BreakStatus.OPEN.value, Break.still_holds.is_(True))
    )
    return fetch_arrow(session, query, schema)


def last_occurrences(session: Session, schema: pa.Schema) -> pa.Table:
    """Return each (break type, key) with its last occurrence number."""
    query = select(Break.break_type, Break.break_key, func.max(Break.occurrence)).group_by(
        Break.break_type, Break.break_key
    )
    return fetch_arrow(session, query, schema)


def insert_breaks(session: Session, rows: pa.Table) -> None:
    """Store new breaks."""
    insert_new_rows(session, table_of(Break), rows)


def update_breaks(session: Session, rows: list[dict[str, Any]]) -> None:
    """Apply per-break changes (each a dict with `break_id` and the columns to set)."""
    session.execute(update(Break), rows)


def resolve_automatically(
    session: Session, break_ids: Sequence[str], *, day: dt.date, actor: str
) -> None:
    """Mark breaks resolved by the facts on `day`."""
    session.execute(
        update(Break)
        .where(Break.break_id.in_(break_ids))
        .values(
            status=BreakStatus.RESOLVED.value,
            resolved_on=day,
            resolution=Resolution.AUTO.value,
            resolved_by=actor,
            still_holds=False,
        )
    )


def mark_lapsed(session: Session, break_ids: Sequence[str]) -> None:
    """Record that resolved breaks' conditions no longer hold."""
    session.execute(update(Break).where(Break.break_id.in_(break_ids)).values(still_holds=False))


def breaks_as_of(
    session: Session, *, day: dt.date, columns: Sequence[str], partner_code: str | None = None
) -> list[Sequence[Any]]:
    """Return every break found by `day` (`columns`, then resolved_on and status as of `day`)."""
    resolved = Break.resolved_on <= day
    query = (
        select(
            *(getattr(Break, name) for name in columns),
            case((resolved, Break.resolved_on), else_=None),
            case((resolved, BreakStatus.RESOLVED.value), else_=BreakStatus.OPEN.value),
        )
        .where(Break.detected_on <= day)
        .order_by(Break.detected_on, Break.break_type, Break.break_key, Break.occurrence)
    )
    if partner_code is not None:
        query = query.where(Break.partner_code == partner_code)
    return [tuple(row) for row in session.execute(query)]


def open_on(session: Session, *, day: dt.date, schema: pa.Schema) -> pa.Table:
    """Return the columns `schema` names of every break open on `day`."""
    query = select(*(getattr(Break, name) for name in schema.names)).where(
        Break.detected_on <= day, or_(Break.resolved_on.is_(None), Break.resolved_on > day)
    )
    return fetch_arrow(session, query, schema)


def daily_run_up_to(session: Session, day: dt.date) -> ReconciliationRun | None:
    """Return the latest daily run on or before `day`, or None."""
    return session.scalars(
        select(ReconciliationRun)
        .where(
            ReconciliationRun.mode == RunMode.DAILY.value,
            ReconciliationRun.business_date <= day,
        )
        .order_by(ReconciliationRun.business_date.desc(), ReconciliationRun.id.desc())
        .limit(1)
    ).first()


def recent_runs(session: Session, limit: int) -> list[ReconciliationRun]:
    """Return the latest reconciliation runs, newest first."""
    return list(
        session.scalars(
            select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(limit)
        )
    )


def open_at_end_of(day: dt.date) -> Any:
    """Breaks open at the end of `day`: found by then and not resolved by then."""
    return and_(Break.detected_on <= day, or_(Break.resolved_on.is_(None), Break.resolved_on > day))


def age_range(day: dt.date, bucket: str) -> Any:
    """Return the condition of an aging bucket on `day`, or None for an unknown bucket."""
    bounds = dict(AGING_BUCKETS)
    names = [name for name, _ in AGING_BUCKETS]
    if bucket not in BUCKET_NAMES:
        return None
    if bucket not in bounds:
        return Break.fact_on < day - dt.timedelta(days=AGING_BUCKETS[-1][1])
    upper = bounds[bucket]
    index = names.index(bucket)
    lower = AGING_BUCKETS[index - 1][1] if index else None
    newest = Break.fact_on >= day - dt.timedelta(days=upper)
    return newest if lower is None else and_(newest, Break.fact_on < day - dt.timedelta(days=lower))


def break_conditions(
    *,
    day: dt.date,
    break_type: str | None,
    partner_code: str | None,
    wave: int | None,
    age: str | None,
    status: str | None,
) -> list[Any]:
    """Return the conditions narrowing the breaks list; None or empty means any."""
    conditions: list[Any] = []
    if break_type:
        conditions.append(Break.break_type == break_type)
    if partner_code:
        conditions.append(Break.partner_code == partner_code)
    if wave is not None:
        conditions.append(Break.wave == wave)
    if status:
        conditions.append(Break.status == status)
    if age:
        bucket = age_range(day, age)
        if bucket is not None:
            conditions.append(bucket)
    return conditions


def breaks_page(session: Session, conditions: list[Any], *, offset: int, limit: int) -> list[Break]:
    """Return up to `limit` breaks matching `conditions` from `offset`, newest first."""
    query = select(Break)
    if conditions:
        query = query.where(*conditions)
    query = query.order_by(Break.detected_on.desc(), Break.break_id)
    return list(session.scalars(query.offset(offset).limit(limit)))


def open_counts_by(session: Session, column: str, day: dt.date, limit: int) -> list[Any]:
    """Return (partner_code or break_type, count) of the breaks open on `day`, largest first."""
    key = {"partner": Break.partner_code, "type": Break.break_type}[column]
    return list(
        session.execute(
            select(key, func.count())
            .where(open_at_end_of(day))
            .group_by(key)
            .order_by(func.count().desc())
            .limit(limit)
        ).all()
    )


def open_counts_by_age(session: Session, day: dt.date) -> list[int]:
    """Return the open breaks per aging bucket on `day`, in bucket order."""
    columns = [
        func.coalesce(func.sum(case((age_range(day, bucket), 1), else_=0)), 0)
        for bucket in BUCKET_NAMES
    ]
    counts = session.execute(select(*columns).where(Break.status == BreakStatus.OPEN.value)).one()
    return [int(count) for count in counts]


def break_partner_codes(session: Session) -> list[str]:
    """Return every partner code breaks name."""
    return [
        str(code)
        for code in session.scalars(
            select(Break.partner_code).where(Break.partner_code.is_not(None)).distinct()
        )
    ]


def open_break_instruction_ids(day: dt.date) -> Select[Any]:
    """Return a query of the instruction ids of breaks open at the end of `day`."""
    return select(Break.instruction_id).where(open_at_end_of(day))


def latest_run_id() -> ScalarSelect[Any]:
    """Return a scalar subquery of the latest run's id (a marker of change)."""
    return select(func.max(ReconciliationRun.id)).scalar_subquery()


def latest_resolution_id() -> ScalarSelect[Any]:
    """Return a scalar subquery of the latest resolution's id (a marker of change)."""
    return select(func.max(BreakResolution.id)).scalar_subquery()
