"""Record actions in the audit trail, each chained to the one before; verify the chain.

Also the import runs that brought each file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, ScalarSelect, Subquery, select, update
from sqlalchemy.orm import QueryableAttribute, Session

from prakerja.audit import repository
from prakerja.audit.models import AuditEvent, ImportRun
from prakerja.config import get_settings
from prakerja.kit.clock import utc_now
from prakerja.kit.hashchain import GENESIS, Mismatch, canonical, chain_from, first_mismatch, link
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows

#: Who acts in this thread or task, when a page's account started the work (see `acting_as`).
_ACTING: ContextVar[str | None] = ContextVar("prakerja_acting", default=None)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Record everything done inside (in this thread or task) as done by `actor`."""
    token = _ACTING.set(actor)
    try:
        yield
    finally:
        _ACTING.reset(token)


def current_actor() -> str:
    """Return who is acting: a page's account (`acting_as`), the `actor` setting, the OS user."""
    acting = _ACTING.get()
    if acting:
        return acting
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
    """Append one event to the audit trail, chained to the latest (in the caller's transaction)."""
    fields: dict[str, Any] = {
        "occurred_at": utc_now(),
        "business_date": business_date,
        "actor": actor or current_actor(),
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "details": details or {},
    }
    session.flush()
    repository.lock_tail(session)
    previous = repository.tail_hash(session) or GENESIS
    event = AuditEvent(**fields, prev_hash=previous, hash=link(previous, canonical(**fields)))
    session.add(event)
    session.flush()
    return event


def append_events(session: Session, events: pa.Table) -> int:
    """Append many events at once (columns of audit_events but the hashes), chained in order."""
    if events.num_rows == 0:
        return 0
    session.flush()
    repository.lock_tail(session)
    previous = repository.tail_hash(session) or GENESIS
    contents = (
        canonical(
            occurred_at=row["occurred_at"],
            business_date=row["business_date"],
            actor=row["actor"],
            action=row["action"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            details=json.loads(row["details"]) if row["details"] else {},
        )
        for row in events.to_pylist()
    )
    links = list(chain_from(previous, contents))
    chained = events.append_column(
        "prev_hash", pa.array([p for p, _ in links], pa.string())
    ).append_column("hash", pa.array([h for _, h in links], pa.string()))
    return append_rows(session, table_of(AuditEvent), chained)


def verify(session: Session) -> tuple[int, Mismatch | None]:
    """Walk the whole trail; return how many records fit and the first that does not, if any."""
    fitting = 0

    def rows() -> Any:
        nonlocal fitting
        for event_id, prev_hash, own_hash, fields in repository.walk(session):
            yield event_id, prev_hash, own_hash, canonical(**fields)
            fitting += 1

    mismatch = first_mismatch(rows())
    return fitting, mismatch


def history(session: Session, *, subject_type: str, subject_id: str) -> list[AuditEvent]:
    """Return the audit records about one subject, oldest first."""
    return repository.events_about(session, subject_type, subject_id)


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
    """Append one event per subject to the audit trail, in bulk, with the same details (chained)."""
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
    append_events(session, events)


def start_import_run(
    session: Session,
    *,
    kind: str,
    file_name: str,
    file_sha256: str,
    rows: int,
    actor: str | None = None,
) -> ImportRun:
    """Open the import run of one file (flushed, so that it has its id)."""
    run = ImportRun(
        kind=kind,
        file_name=file_name,
        file_sha256=file_sha256,
        actor=actor or current_actor(),
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


def import_marker() -> ScalarSelect[Any]:
    """Return a scalar subquery of the latest import run's id (a marker of change)."""
    return repository.latest_import_id()
