"""A bank fee finance writes off reaches the books: the escrow proof balances after it."""

from __future__ import annotations

import datetime as dt

import pytest

from prakerja.kit.errors import ConflictError
from prakerja.ledger.service import balance
from prakerja.reconciliation.service import day_position, resolve_break
from prakerja.reconciliation.taxonomy import BreakType
from tests.reconciliation.conftest import all_breaks
from tests.reconciliation.factories import AMOUNT, D

SENT = D(2020, 5, 4)
DAY = dt.timedelta(days=1)
FEE = 13_000


def _fee_break(world, run, session):
    batch = world.batch(day=SENT, partner="DANA")
    world.result(world.instruction(world.card(), batch=batch, day=SENT), day=SENT)
    world.debit_batch(batch, day=SENT, amount=AMOUNT + FEE)
    session.commit()
    run(SENT + DAY)
    (found,) = all_breaks(session, BreakType.BATCH_TOTAL_MISMATCH)
    return found


def test_a_written_off_bank_fee_reaches_the_books_and_the_proof_balances(world, run, session):
    found = _fee_break(world, run, session)
    _gap, before = day_position(session, day=SENT + DAY)
    resolve_break(
        session, break_id=found.break_id, reason="bank fee", actor="finance", write_off=True
    )
    session.commit()
    assert balance(session, account_name="ESCROW_WRITTEN_OFF:DANA") == FEE
    _gap, after = day_position(session, day=SENT + DAY)
    assert after.books.written_off_idr == FEE
    assert after.ledger_idr == before.ledger_idr - FEE
    assert after.difference_idr == before.difference_idr + FEE


def test_resolving_without_writing_off_leaves_the_books_alone(world, run, session):
    found = _fee_break(world, run, session)
    _gap, before = day_position(session, day=SENT + DAY)
    resolve_break(session, break_id=found.break_id, reason="looked at it", actor="finance")
    session.commit()
    _gap, after = day_position(session, day=SENT + DAY)
    assert after == before


def test_only_a_bank_debit_beyond_its_batch_can_be_written_off(world, run, session):
    batch = world.batch(day=SENT, partner="GOPAY")
    world.result(world.instruction(world.card(), batch=batch, day=SENT), day=SENT)
    world.debit_batch(batch, day=SENT, amount=AMOUNT - 1)
    session.commit()
    run(SENT + DAY)
    (short,) = all_breaks(session, BreakType.BATCH_TOTAL_MISMATCH)
    with pytest.raises(ConflictError, match="nothing to write off"):
        resolve_break(session, break_id=short.break_id, reason="x", write_off=True)
