"""The demo's reconciliation desk: what it cancels, what it writes off, what it leaves open."""

import datetime as dt

from sqlalchemy import select

from prakerja.audit.models import AuditEvent
from prakerja.demo.operator import BANK_FEE_IDR, FINANCE, NEVER_EXECUTED, work_breaks
from prakerja.payouts.models import Instruction
from prakerja.reconciliation.service import reconcile
from prakerja.reconciliation.taxonomy import BreakType
from tests.reconciliation.conftest import all_breaks
from tests.reconciliation.factories import AMOUNT, D, World

SENT = D(2020, 5, 4)
LATER = SENT + dt.timedelta(days=2)


def _reconcile(session, day):
    reconcile(session, day=day, actor="tester")
    session.commit()


def test_the_desk_cancels_unexecuted_instructions_and_writes_off_only_bank_fees(engine, session):
    world = World(session)
    lost_batch = world.batch(day=SENT, partner="OVO")
    lost = world.instruction(world.card(), batch=lost_batch, day=SENT)
    world.debit_batch(lost_batch, day=SENT)
    fee_batch = world.batch(day=SENT, partner="DANA")
    world.result(world.instruction(world.card(), batch=fee_batch, day=SENT), day=SENT)
    world.debit_batch(fee_batch, day=SENT, amount=AMOUNT + BANK_FEE_IDR)
    short_batch = world.batch(day=SENT, partner="GOPAY")
    world.result(world.instruction(world.card(), batch=short_batch, day=SENT), day=SENT)
    world.debit_batch(short_batch, day=SENT, amount=AMOUNT - 1)
    _reconcile(session, LATER)

    desk = work_breaks(engine, LATER)

    assert (desk.cancelled, desk.written_off) == (1, 1)
    session.expire_all()
    cancelled = session.get(Instruction, lost)
    assert (cancelled.state, cancelled.cancelled_on, cancelled.cancel_reason) == (
        "CANCELLED",
        LATER,
        NEVER_EXECUTED,
    )
    batches = {b.batch_id: b for b in all_breaks(session, BreakType.BATCH_TOTAL_MISMATCH)}
    assert (batches[fee_batch].status, batches[fee_batch].resolution) == ("RESOLVED", "OPERATOR")
    assert batches[short_batch].status == "OPEN"
    written_off = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == batches[fee_batch].break_id)
    ).all()
    assert [event.actor for event in written_off if event.action == "break.resolved"] == [FINANCE]
    _reconcile(session, LATER + dt.timedelta(days=1))
    (missing,) = all_breaks(session, BreakType.MISSING_RESULT)
    assert (missing.status, missing.resolved_on) == ("RESOLVED", LATER + dt.timedelta(days=1))
