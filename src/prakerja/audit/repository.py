"""Statements of the audit trail: the chain's tail, under a lock, and its walk in id order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ScalarSelect, func, select, text
from sqlalchemy.orm import Session

from prakerja.audit.models import AuditEvent, ImportRun

_WALK_BATCH = 10_000


def lock_tail(session: Session) -> None:
    """Hold the chain's tail for this transaction, so concurrent appends cannot fork it.

    PostgreSQL: a transaction-scoped advisory lock named after this schema's trail,
    released at commit or rollback. SQLite lets one writer at a time commit, and a
    writer that read an older tail fails rather than fork the chain.
    """
    if session.connection().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_events'))")
        )


def tail_hash(session: Session) -> str | None:
    """Return the hash of the latest record, or None for an empty trail."""
    return session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))


def walk(session: Session) -> Iterator[tuple[int, str | None, str | None, dict[str, Any]]]:
    """Yield every record (id, prev_hash, hash, fields) in id order, in batches by id."""
    after = 0
    while True:
        rows = session.execute(
            select(
                AuditEvent.id,
                AuditEvent.prev_hash,
                AuditEvent.hash,
                AuditEvent.occurred_at,
                AuditEvent.business_date,
                AuditEvent.actor,
                AuditEvent.action,
                AuditEvent.subject_type,
                AuditEvent.subject_id,
                AuditEvent.details,
            )
            .where(AuditEvent.id > after)
            .order_by(AuditEvent.id)
            .limit(_WALK_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row[0], row[1], row[2], _fields(row[3:])
        after = rows[-1][0]


def _fields(values: Any) -> dict[str, Any]:
    occurred_at, business_date, actor, action, subject_type, subject_id, details = values
    return {
        "occurred_at": occurred_at,
        "business_date": business_date,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "details": details,
    }


def events_about(session: Session, subject_type: str, subject_id: str) -> list[AuditEvent]:
    """Return the records about one subject, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.id)
        )
    )


def latest_import_id() -> ScalarSelect[Any]:
    """Return a scalar subquery of the latest import run's id (a marker of change)."""
    return select(func.max(ImportRun.id)).scalar_subquery()
