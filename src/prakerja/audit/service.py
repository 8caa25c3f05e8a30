"""Record actions in the audit trail."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from sqlalchemy.orm import Session

from prakerja.audit.models import AuditEvent
from prakerja.config import get_settings
from prakerja.kit.clock import utc_now


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
