"""Stable ids, operators' resolutions, no silent reopening, the audit trail, rebuilds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from prakerja.audit.models import AuditEvent
from prakerja.kit.errors import ConflictError, InputError, NotFoundError
from prakerja.reconciliation.service import rebuild, reconcile, resolve_break
from prakerja.reconciliation.taxonomy import BreakType
from tests.reconciliation.conftest import all_breaks
from tests.reconciliation.factories import AMOUNT, D

SENT = D(2020, 5, 4)
DAY = dt.timedelta(days=1)


def _mismatched_batch(world):
    batch = world.batch(day=SENT, run=2)
    card = world.card()
    instruction = world.instruction(card, batch=batch, day=SENT)
    world.result(instruction, day=SENT + DAY)
    world.debit_batch(batch, day=SENT, amount=AMOUNT - 1)
    return batch


def test_the_break_id_is_stable_across_runs(world, run, session):
    _mismatched_batch(world)
    ids = set()
    for offset in range(1, 5):
        run(SENT + offset * DAY)
        ids.update(b.break_id for b in all_breaks(session))
    assert len(ids) == 1
    (found,) = all_breaks(session)
    assert (found.detected_on, found.status) == (SENT + DAY, "OPEN")


def test_an_operator_resolution_is_kept_while_the_condition_holds(world, run, session):
    _mismatched_batch(world)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    resolve_break(
        session, break_id=found.break_id, reason="  bank fee, written off  ", actor="finance"
    )
    session.commit()
    run(SENT + 2 * DAY)
    run(SENT + 3 * DAY)
    (after,) = all_breaks(session)
    assert (after.status, after.resolution, after.resolved_by, after.resolved_on) == (
        "RESOLVED",
        "OPERATOR",
        "finance",
        SENT + DAY,
    )
    assert after.resolution_note == "bank fee, written off"


def test_a_resolved_break_never_reopens_a_new_occurrence_is_a_new_break(world, run, session):
    batch = _mismatched_batch(world)
    run(SENT + DAY)
    world.debit_batch(batch, day=SENT + 2 * DAY, amount=1)
    run(SENT + 2 * DAY)
    world.debit_batch(batch, day=SENT + 3 * DAY, amount=5)
    run(SENT + 3 * DAY)
    first, second = all_breaks(session)
    assert first.break_id != second.break_id
    assert (first.status, first.resolved_on) == ("RESOLVED", SENT + 2 * DAY)
    assert (second.status, second.detected_on, second.occurrence) == ("OPEN", SENT + 3 * DAY, 2)
    assert second.reported_amount_idr == AMOUNT + 5


def test_after_an_operator_resolution_the_condition_must_clear_before_a_new_break(
    world, run, session
):
    batch = _mismatched_batch(world)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    resolve_break(session, break_id=found.break_id, reason="looked into it", actor="finance")
    session.commit()
    world.debit_batch(batch, day=SENT + 2 * DAY, amount=1)
    run(SENT + 2 * DAY)
    world.debit_batch(batch, day=SENT + 3 * DAY, amount=1)
    run(SENT + 3 * DAY)
    first, second = all_breaks(session)
    assert (first.break_id, first.resolution) == (found.break_id, "OPERATOR")
    assert (second.status, second.detected_on) == ("OPEN", SENT + 3 * DAY)


def test_a_written_off_batch_debited_again_is_a_new_break(world, run, session):
    """The operator wrote off 100 rupiah short; a further debit is a new fact gone bad."""
    batch = _mismatched_batch(world)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    resolve_break(session, break_id=found.break_id, reason="short by a bank fee", actor="finance")
    session.commit()
    run(SENT + 2 * DAY)
    assert len(all_breaks(session)) == 1
    world.debit_batch(batch, day=SENT + 3 * DAY, amount=5_000_000)
    run(SENT + 3 * DAY)
    first, second = all_breaks(session)
    assert (first.break_id, first.status, first.resolution) == (
        found.break_id,
        "RESOLVED",
        "OPERATOR",
    )
    assert first.reported_amount_idr == AMOUNT - 1
    assert (second.status, second.detected_on, second.occurrence) == ("OPEN", SENT + 3 * DAY, 2)
    assert second.reported_amount_idr == AMOUNT - 1 + 5_000_000
    run(SENT + 4 * DAY)
    assert [b.break_id for b in all_breaks(session)] == [first.break_id, second.break_id]


def test_a_written_off_failure_whose_retry_fails_too_is_a_new_break(world, run, session):
    card = world.card()
    batch = world.batch(day=SENT, run=3)
    first = world.instruction(card, batch=batch, day=SENT)
    world.debit_batch(batch, day=SENT)
    world.result(first, day=SENT + DAY, status="FAILED")
    run(SENT + DAY)
    (found,) = all_breaks(session)
    resolve_break(session, break_id=found.break_id, reason="participant paid in cash", actor="ops")
    session.commit()
    retry_batch = world.batch(day=SENT + 2 * DAY, run=4)
    retry = world.instruction(card, batch=retry_batch, day=SENT + 2 * DAY, attempt=2)
    world.debit_batch(retry_batch, day=SENT + 2 * DAY)
    world.result(retry, day=SENT + 3 * DAY, status="FAILED", failure_code="ACCOUNT_DORMANT")
    run(SENT + 3 * DAY)
    first_break, second_break = all_breaks(session)
    assert (first_break.break_id, first_break.instruction_id) == (found.break_id, first)
    assert (second_break.status, second_break.instruction_id) == ("OPEN", retry)
    assert second_break.break_type == BreakType.FAILED_PAYMENT


def test_resolutions_are_in_the_audit_trail_with_who_and_when(world, run, session):
    card = world.card()
    batch = world.batch(day=SENT)
    instruction = world.instruction(card, batch=batch, day=SENT)
    world.debit_batch(batch, day=SENT)
    amount_batch = _mismatched_batch(world)
    run(SENT + 2 * DAY)
    by_type = {b.break_type: b for b in all_breaks(session)}
    resolve_break(
        session,
        break_id=by_type[BreakType.BATCH_TOTAL_MISMATCH].break_id,
        reason="fee",
        actor="finance",
    )
    world.result(instruction, day=SENT + 3 * DAY)
    session.commit()
    reconcile(session, day=SENT + 3 * DAY, actor="night-run")
    session.commit()
    events = {
        (e.subject_id, e.action): e
        for e in session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "break"))
    }
    missing = by_type[BreakType.MISSING_RESULT].break_id
    auto = events[(missing, "break.resolved")]
    assert (auto.actor, auto.business_date, auto.details["resolution"]) == (
        "night-run",
        SENT + 3 * DAY,
        "AUTO",
    )
    assert events[(missing, "break.opened")].business_date == SENT + 2 * DAY
    manual = events[(by_type[BreakType.BATCH_TOTAL_MISMATCH].break_id, "break.resolved")]
    assert (manual.actor, manual.details["reason"], manual.details["resolution"]) == (
        "finance",
        "fee",
        "OPERATOR",
    )
    assert manual.occurred_at is not None
    assert amount_batch


def test_resolving_needs_a_reason_an_open_break_and_a_known_id(world, run, session):
    _mismatched_batch(world)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    with pytest.raises(InputError):
        resolve_break(session, break_id=found.break_id, reason="   ")
    with pytest.raises(NotFoundError):
        resolve_break(session, break_id="BRK-NOPE", reason="x")
    resolve_break(session, break_id=found.break_id, reason="ok")
    with pytest.raises(ConflictError):
        resolve_break(session, break_id=found.break_id, reason="again")


def test_a_day_before_the_latest_reconciled_is_refused(world, run, session):
    run(SENT + DAY)
    with pytest.raises(ConflictError):
        reconcile(session, day=SENT)
    with pytest.raises(ConflictError):
        rebuild(session, day=SENT)
