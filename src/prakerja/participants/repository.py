"""Statements of the participants' door: codes, sessions and grievances, by indexed keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from prakerja.participants.models import Grievance, ParticipantSession, SignInCode
from prakerja.participants.rules import CODE_ATTEMPTS


def recent_codes(session: Session, *, nik: str, count: int) -> list[tuple[int, dt.datetime]]:
    """Return (serial, created_at) of a NIK's latest codes, newest first."""
    rows = session.execute(
        select(SignInCode.serial, SignInCode.created_at)
        .where(SignInCode.nik == nik)
        .order_by(SignInCode.serial.desc())
        .limit(count)
    )
    return [(serial, created) for serial, created in rows]


def add_code(session: Session, **values: Any) -> bool:
    """Store a code; return False when another request took its (nik, serial) place first."""
    try:
        with session.begin_nested():
            session.execute(insert(SignInCode).values(**values))
    except IntegrityError:
        return False
    return True


def forget_codes(session: Session, *, nik: str, before: dt.datetime) -> None:
    """Delete a NIK's codes made before an instant (they decide nothing any more)."""
    session.execute(delete(SignInCode).where(SignInCode.nik == nik, SignInCode.created_at < before))


def latest_code(session: Session, *, nik: str) -> SignInCode | None:
    """Return a NIK's latest code, or None."""
    return session.scalars(
        select(SignInCode).where(SignInCode.nik == nik).order_by(SignInCode.serial.desc()).limit(1)
    ).first()


def spend_attempt(session: Session, *, code_id: int, now: dt.datetime) -> bool:
    """Count one attempt at a live code; return False when it has none left, is used or expired."""
    spent = session.execute(
        update(SignInCode)
        .where(
            SignInCode.id == code_id,
            SignInCode.attempts < CODE_ATTEMPTS,
            SignInCode.used_at.is_(None),
            SignInCode.expires_at > now,
        )
        .values(attempts=SignInCode.attempts + 1)
    )
    return bool(getattr(spent, "rowcount", 0) == 1)


def use_code(session: Session, *, code_id: int, now: dt.datetime) -> bool:
    """Mark a code used; return False when another request used it first."""
    used = session.execute(
        update(SignInCode)
        .where(SignInCode.id == code_id, SignInCode.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(getattr(used, "rowcount", 0) == 1)


def add_session(session: Session, **values: Any) -> None:
    """Store a participant's session."""
    session.execute(insert(ParticipantSession).values(**values))


def live_session_nik(session: Session, *, id_hash: str, now: dt.datetime) -> str | None:
    """Return the NIK of a session that has neither expired nor ended, or None."""
    return session.scalar(
        select(ParticipantSession.nik).where(
            ParticipantSession.id_hash == id_hash,
            ParticipantSession.expires_at > now,
            ParticipantSession.ended_at.is_(None),
        )
    )


def end_session(session: Session, *, id_hash: str, now: dt.datetime) -> None:
    """End a session (sign-out)."""
    session.execute(
        update(ParticipantSession)
        .where(ParticipantSession.id_hash == id_hash, ParticipantSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def same_day_grievance(
    session: Session, *, nik: str, category: str, instruction_key: str, day: dt.date
) -> Grievance | None:
    """Return the grievance a NIK filed for a category and instruction on a day, if any."""
    return session.scalars(
        select(Grievance).where(
            Grievance.nik == nik,
            Grievance.category == category,
            Grievance.instruction_key == instruction_key,
            Grievance.opened_on == day,
        )
    ).first()


def add_grievance(session: Session, grievance: Grievance) -> bool:
    """Store a grievance; return False when the same one was filed concurrently."""
    try:
        with session.begin_nested():
            session.add(grievance)
            session.flush()
    except IntegrityError:
        return False
    return True


def grievance(session: Session, *, grievance_id: str) -> Grievance | None:
    """Return a grievance by its id, or None."""
    return session.get(Grievance, grievance_id)


def grievances_of(session: Session, *, nik: str) -> list[Grievance]:
    """Return a NIK's grievances, newest first."""
    return list(
        session.scalars(
            select(Grievance)
            .where(Grievance.nik == nik)
            .order_by(Grievance.opened_at.desc(), Grievance.grievance_id)
        )
    )


def grievances_page(
    session: Session, *, status: str | None, offset: int, limit: int
) -> list[Grievance]:
    """Return a page of grievances (of one status, or all): OPEN before RESOLVED, newest first."""
    statement = select(Grievance)
    if status is not None:
        statement = statement.where(Grievance.status == status)
    ordered = statement.order_by(
        Grievance.status, Grievance.opened_on.desc(), Grievance.grievance_id
    )
    return list(session.scalars(ordered.offset(offset).limit(limit)))


def grievance_rows(
    day: dt.date,
) -> Select[str, str | None, str | None, str, dt.date, dt.date | None]:
    """Return the statement of the grievances opened by a day, oldest first."""
    return (
        select(
            Grievance.grievance_id,
            Grievance.card_number,
            Grievance.instruction_id,
            Grievance.category,
            Grievance.opened_on,
            Grievance.resolved_on,
        )
        .where(Grievance.opened_on <= day)
        .order_by(Grievance.opened_on, Grievance.grievance_id)
    )


def not_received_about(
    instruction_ids: Select[Any],
) -> Select[str, str | None, str, dt.date, dt.date | None]:
    """Return the statement of NOT_RECEIVED grievances about some instructions, oldest first."""
    return (
        select(
            Grievance.grievance_id,
            Grievance.instruction_id,
            Grievance.category,
            Grievance.opened_on,
            Grievance.resolved_on,
        )
        .where(
            Grievance.category == "NOT_RECEIVED",
            Grievance.instruction_id.in_(instruction_ids),
        )
        .order_by(Grievance.opened_on, Grievance.grievance_id)
    )
