"""Breaks resolved by an operator with a written reason, and those resolutions replayed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from prakerja.audit.service import current_actor, record
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import ConflictError, InputError, NotFoundError
from prakerja.reconciliation import repository
from prakerja.reconciliation.models import Break, BreakResolution
from prakerja.reconciliation.taxonomy import BreakStatus, Resolution
from prakerja.reconciliation.writeoff import post_write_off

_REASON_LIMIT = 1000


def resolve_break(
    session: Session,
    *,
    break_id: str,
    reason: str,
    actor: str | None = None,
    write_off: bool = False,
) -> Break:
    """Resolve an open break with an operator's written reason, on the latest day reconciled.

    `write_off` (a bank fee on a batch debit) also posts the excess to the books.
    """
    written = " ".join(reason.split())
    if not written:
        raise InputError("a written reason is required to resolve a break")
    if len(written) > _REASON_LIMIT:
        raise InputError(f"the reason is longer than {_REASON_LIMIT} characters")
    found = repository.find_break(session, break_id)
    if found is None:
        raise NotFoundError(f"unknown break {break_id!r}")
    if found.status != BreakStatus.OPEN.value:
        raise ConflictError(f"break {break_id} is already resolved (on {found.resolved_on})")
    day = repository.latest_run_day(session)
    assert day is not None  # a break exists, so a run made it
    who = actor or current_actor()
    details: dict[str, object] = {"resolution": Resolution.OPERATOR.value, "reason": written}
    if write_off:
        details["written_off_idr"] = post_write_off(session, found, day=day)
    _mark_resolved_by_operator(found, day=day, actor=who, reason=written)
    repository.add_resolution(
        session,
        BreakResolution(
            break_id=break_id, resolved_on=day, actor=who, reason=written, recorded_at=utc_now()
        ),
    )
    record(
        session,
        action="break.resolved",
        subject_type="break",
        subject_id=break_id,
        business_date=day,
        actor=who,
        details=details,
    )
    session.flush()
    return found


def replay_resolution(session: Session, resolution: BreakResolution) -> None:
    """Apply an operator's resolution again (a rebuild), when its break is open."""
    found = repository.find_break(session, resolution.break_id)
    if found is not None and found.status == BreakStatus.OPEN.value:
        _mark_resolved_by_operator(
            found, day=resolution.resolved_on, actor=resolution.actor, reason=resolution.reason
        )
        session.flush()


def _mark_resolved_by_operator(found: Break, *, day: dt.date, actor: str, reason: str) -> None:
    found.status = BreakStatus.RESOLVED.value
    found.resolved_on = day
    found.resolution = Resolution.OPERATOR.value
    found.resolved_by = actor
    found.resolution_note = reason
    found.still_holds = True


def break_partner_code(session: Session, break_id: str) -> str | None:
    """Return the partner a break names (None: no such break, or one naming no partner)."""
    found = repository.find_break(session, break_id)
    return found.partner_code if found is not None else None
