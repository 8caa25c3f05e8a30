"""Record actions in the audit trail, and the import runs that brought each file."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, Subquery, select, update
from sqlalchemy.orm import QueryableAttribute, Session

from prakerja.audit.models import AuditEvent, ImportRun
from prakerja.config import get_settings
from prakerja.kit.clock import utc_now
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows


def current_actor() -> str:
    """Return who is acting: the `actor` setting when set, else the operating-system user."""
    actor = get_settings().actor
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record(
    session: Session,
    *,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any] | None = None,
    business_date: dt.date | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """Append one event to the audit trail (flushed with the caller's transaction)."""
    event = AuditEvent(
        occurred_at=utc_now(),
        business_date=business_date,
        actor=actor or current_actor(),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details or {},
    )
    session.add(event)
    return event


def record_many(
    session: Session,
    *,
    action: str,
    subject_type: str,
    subject_ids: pa.Array | pa.ChunkedArray,
    details: dict[str, Any],
    business_date: dt.date | None = None,
    actor: str | None = None,
) -> None:
    """Append one event per subject to the audit trail, in bulk, with the same details."""
    count = len(subject_ids)
    if count == 0:
        return
    events = pa.table(
        {
            "occurred_at": pa.array([utc_now()] * count, pa.timestamp("us", tz="UTC")),
            "business_date": pa.array([business_date] * count, pa.date32()),
            "actor": pa.array([actor or current_actor()] * count, pa.string()),
            "action": pa.array([action] * count, pa.string()),
            "subject_type": pa.array([subject_type] * count, pa.string()),
            "subject_id": subject_ids,
            "details": pa.array([json.dumps(details)] * count, pa.string()),
        }
    )
    insert_new_rows(session, table_of(AuditEvent), events)


def start_import_run(
    session: Session, *, kind: str, file_name: str, file_sha256: str, rows: int
) -> ImportRun:
    """Open the import run of one file (flushed, so that it has its id)."""
    run = ImportRun(
        kind=kind,
        file_name=file_name,
        file_sha256=file_sha256,
        actor=current_actor(),
        started_at=utc_now(),
        rows=rows,
    )
    session.add(run)
    session.flush()
    return run


def count_late_outcomes(session: Session, *, run_id: int, applied: int, refused: int) -> None:
    """Move rows an earlier import left pending to loaded or rejected, on that import's run."""
    session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            loaded=ImportRun.loaded + applied,
            rejected=ImportRun.rejected + refused,
            pending=ImportRun.pending - applied - refused,
        )
    )


def import_file_names(session: Session, *, run_ids: Iterable[int]) -> dict[int, str]:
    """Return the file name of each given import run."""
    rows = session.execute(
        select(ImportRun.id, ImportRun.file_name).where(ImportRun.id.in_(list(run_ids)))
    )
    return {int(run_id): str(name) for run_id, name in rows}


def import_finished(run_id: QueryableAttribute[int | None] | ColumnElement[int | None]) -> Any:
    """Return, as a scalar subquery, when the import run `run_id` finished (NULL for none)."""
    return select(ImportRun.finished_at).where(ImportRun.id == run_id).scalar_subquery()


def import_run_times() -> Subquery:
    """Return a subquery of every import run's `id` and `finished_at`, to join on."""
    return select(ImportRun.id, ImportRun.finished_at).subquery()
