"""The gap report: every completed participant in exactly one stage; the counts add up."""

from __future__ import annotations

import datetime as dt

from prakerja.reconciliation.gap import GapStage
from prakerja.reconciliation.service import day_position
from tests.reconciliation.factories import AMOUNT, D

DAY = D(2020, 6, 1)
DONE = D(2020, 5, 1)
ONE = dt.timedelta(days=1)


def _completed(world, *, reviewed=True, account=True, wave=1):
    card = world.card(wave=wave)
    world.voucher(card, completed_on=DONE, reviewed_on=DONE + ONE if reviewed else None)
    if account:
        world.account(card, linked_on=DONE - 10 * ONE)
    return card


def _instructed(world, card, *, run=1):
    batch = world.batch(day=DONE + 2 * ONE, run=run)
    return world.instruction(card, batch=batch, day=DONE + 2 * ONE)


def test_every_stage_in_order_with_the_first_tranche_amount(world, session):
    paid = _completed(world)
    world.result(_instructed(world, paid, run=1), day=DONE + 3 * ONE)
    held = _completed(world)
    world.exclusion(held, list_code="STUDENT", effective_from=D(2020, 5, 1))
    in_flight = _completed(world)
    _instructed(world, in_flight, run=2)
    failed = _completed(world)
    world.result(_instructed(world, failed, run=3), day=DONE + 3 * ONE, status="FAILED")
    relinked = _completed(world)
    world.result(_instructed(world, relinked, run=4), day=DONE + 3 * ONE, status="FAILED")
    world.account(relinked, linked_on=DONE + 5 * ONE)
    _completed(world, reviewed=False)
    _completed(world, account=False)
    _completed(world)
    cancelled = _completed(world)
    world.cancel(_instructed(world, cancelled, run=5), day=DONE + 4 * ONE)
    not_done = world.card()
    world.voucher(not_done)
    later = world.card()
    world.voucher(later, completed_on=DAY + ONE, reviewed_on=DAY + ONE)
    session.commit()

    gap, _escrow = day_position(session, day=DAY)
    counts = {row.stage: row.participants for row in gap.rows}
    assert counts == {
        GapStage.PAID: 1,
        GapStage.HELD_INELIGIBLE: 1,
        GapStage.IN_FLIGHT: 1,
        GapStage.FAILED_AWAITING_ACCOUNT: 1,
        GapStage.AWAITING_REVIEW: 1,
        GapStage.NO_ACCOUNT: 1,
        GapStage.DUE_NOT_INSTRUCTED: 3,
    }
    assert [row.stage for row in gap.rows] == list(GapStage)
    assert all(row.amount_idr == row.participants * AMOUNT for row in gap.rows)
    assert gap.completed == 9
    sentence = gap.sentence()
    assert sentence.startswith(f"As of {DAY}, 9 participants completed their first training")
    assert "1 of them was paid" in sentence
    assert "the difference of 8 (Rp 4.800.000)" in sentence
    assert "3 due but not yet instructed" in sentence


def test_a_stage_before_in_the_list_wins(world, session):
    card = _completed(world, reviewed=False, account=False)
    world.exclusion(card, list_code="CIVIL_SERVANT", effective_from=D(2020, 5, 1))
    session.commit()
    gap, _escrow = day_position(session, day=DAY)
    assert gap.row(GapStage.HELD_INELIGIBLE).participants == 1
    assert gap.completed == 1


def test_as_of_an_earlier_day_later_facts_are_unknown(world, session):
    card = _completed(world)
    world.result(_instructed(world, card), day=DONE + 3 * ONE)
    session.commit()
    before, _ = day_position(session, day=DONE + 2 * ONE)
    assert before.row(GapStage.IN_FLIGHT).participants == 1
    reviewing, _ = day_position(session, day=DONE)
    assert reviewing.row(GapStage.AWAITING_REVIEW).participants == 1
    nobody, _ = day_position(session, day=DONE - ONE)
    assert nobody.completed == 0
    assert nobody.sentence().endswith("nobody is waiting.")


def test_the_sentence_writes_thousands_as_its_amounts_do():
    import datetime as dt

    from prakerja.reconciliation.gap import GapReport, GapRow

    counts = {
        GapStage.PAID: (1125, 675_000_000),
        GapStage.DUE_NOT_INSTRUCTED: (2500, 1_500_000_000),
    }
    rows = tuple(GapRow(stage, *counts.get(stage, (0, 0))) for stage in GapStage)
    sentence = GapReport(dt.date(2020, 5, 6), rows).sentence()
    assert "3.625 participants completed" in sentence
    assert "1.125 of them were paid their first incentive (Rp 675.000.000)" in sentence
    assert "the difference of 2.500 (Rp 1.500.000.000) is 2.500 due but not yet" in sentence
