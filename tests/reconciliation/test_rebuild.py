"""A rebuild from scratch and the daily incremental runs give identical breaks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from prakerja.reconciliation.models import Break
from prakerja.reconciliation.service import rebuild, resolve_break
from prakerja.reconciliation.taxonomy import BreakType
from prakerja.reporting.breaks import breaks_as_of
from tests.reconciliation.conftest import all_breaks
from tests.reconciliation.factories import AMOUNT, D, World

START = D(2020, 5, 4)
DAY = dt.timedelta(days=1)
DAYS = 9


def _script(world: World) -> dict[int, list[Callable[[], None]]]:
    """What happens on each day of a small program: every break type planted, some resolved."""
    world.course("C-WEB", course_type="WEBINAR", sessions=2)
    cards = [world.card(wave=1 + n % 2) for n in range(8)]
    vouchers = [world.voucher(card, redeemed_on=D(2020, 4, 21)) for card in cards[:3]]
    state: dict[str, str] = {}

    def day0() -> None:
        batch = world.batch(day=START)
        for n, card in enumerate(cards[:6]):
            state[f"i{n}"] = world.instruction(card, batch=batch, day=START)
        world.debit_batch(batch, day=START, amount=6 * AMOUNT - 1000)
        state["batch"] = batch
        world.attend(vouchers[0], 1, 2, day=START)
        world.attend(vouchers[1], 1, day=START)
        world.invoice(vouchers[0], invoice_no="INV-1", day=START)
        world.invoice(vouchers[1], invoice_no="INV-1", day=START)
        world.invoice(vouchers[2], invoice_no="INV-1", day=START, amount=1)

    def day1() -> None:
        world.result(state["i0"], day=START + DAY)
        world.result(state["i1"], day=START + DAY, amount=1)
        world.result(state["i2"], day=START + DAY, account="0899")
        world.result(state["i3"], day=START + DAY, status="FAILED")
        world.result(state["i4"], day=START + DAY)
        world.result(state["i4"], day=START + DAY, hour=15)
        world.result("INS-NOBODY", day=START + DAY)
        world.exclusion(cards[1], list_code="STUDENT", effective_from=D(2020, 5, 1))

    def day3() -> None:
        world.bank_line(day=START + 3 * DAY, amount=1000, batch=state["batch"])
        world.attend(vouchers[1], 2, day=START + 3 * DAY)
        retry_batch = world.batch(day=START + 3 * DAY)
        state["retry"] = world.instruction(
            cards[3], batch=retry_batch, day=START + 3 * DAY, attempt=2
        )
        world.debit_batch(retry_batch, day=START + 3 * DAY)

    def day5() -> None:
        world.result(state["retry"], day=START + 5 * DAY)
        world.invoice(vouchers[0], invoice_no="INV-2", day=START + 5 * DAY)
        world.cancel(state["i5"], day=START + 5 * DAY)
        world.bank_line(day=START + 5 * DAY, amount=7, batch=state["batch"])

    def day7() -> None:
        late = world.batch(day=START + 7 * DAY)
        world.instruction(cards[6], batch=late, day=START + 7 * DAY)

    return {0: [day0], 1: [day1], 3: [day3], 5: [day5], 7: [day7]}


def _history(session) -> list[tuple[object, ...]]:
    session.expire_all()
    rows = session.execute(
        select(
            Break.break_id,
            Break.occurrence,
            Break.status,
            Break.detected_on,
            Break.resolved_on,
            Break.resolution,
            Break.resolved_by,
            Break.still_holds,
            Break.reason,
        ).order_by(Break.break_id)
    )
    return [tuple(row) for row in rows]


def test_rebuild_from_scratch_equals_the_daily_runs(world, run, session):
    script = _script(world)
    session.commit()
    for offset in range(DAYS):
        for happen in script.get(offset, []):
            happen()
        session.commit()
        run(START + offset * DAY)
        if offset == 2:
            amount = session.scalars(
                select(Break).where(Break.break_type == BreakType.AMOUNT_MISMATCH.value)
            ).one()
            resolve_break(
                session, break_id=amount.break_id, reason="partner refunds the rest", actor="ops"
            )
            session.commit()
    last = START + (DAYS - 1) * DAY
    daily = breaks_as_of(session, day=last)
    daily_history = _history(session)
    found_types = {row[1] for row in daily}
    assert found_types == {kind.value for kind in BreakType}
    assert any(row[-1] == "RESOLVED" for row in daily)

    rebuild(session, day=last, actor="tester")
    session.commit()
    assert breaks_as_of(session, day=last) == daily
    assert _history(session) == daily_history
    for offset in range(DAYS):
        day = START + offset * DAY
        assert breaks_as_of(session, day=day) == list(daily_history_as_of(daily, day))


def daily_history_as_of(rows, day):
    """breaks.csv as of an earlier day, derived from the latest one."""
    for row in rows:
        detected_on, resolved_on = row[12], row[13]
        if detected_on > day:
            continue
        if resolved_on is not None and resolved_on > day:
            yield (*row[:13], None, "OPEN")
        else:
            yield row


def test_facts_that_arrive_after_their_day_are_replayed_as_the_daily_runs_knew_them(
    world, run, session
):
    """A late FAILED result and a late barring list: the rebuild sees them when the runs did."""
    sent = START
    paid, failed = world.card(), world.card()
    batch = world.batch(day=sent)
    paid_instruction = world.instruction(paid, batch=batch, day=sent)
    failed_instruction = world.instruction(failed, batch=batch, day=sent)
    world.debit_batch(batch, day=sent)
    world.result(paid_instruction, day=sent + DAY)
    session.commit()
    for offset in range(3):
        run(sent + offset * DAY)
    (missing,) = [b for b in all_breaks(session) if b.break_type == "MISSING_RESULT"]
    assert missing.detected_on == sent + 2 * DAY
    world.result(failed_instruction, day=sent + DAY, status="FAILED")
    world.exclusion(paid, list_code="STUDENT", effective_from=D(2020, 5, 1))
    session.commit()
    run(sent + 3 * DAY)
    daily = _history(session)
    kinds = {(b.break_type, b.detected_on, b.resolved_on) for b in all_breaks(session)}
    assert kinds == {
        ("MISSING_RESULT", sent + 2 * DAY, sent + 3 * DAY),
        ("FAILED_PAYMENT", sent + 3 * DAY, None),
        ("INELIGIBLE_PAYMENT", sent + 3 * DAY, None),
    }
    rebuild(session, day=sent + 3 * DAY, actor="tester")
    session.commit()
    assert _history(session) == daily


def test_a_cancel_made_after_a_run_is_replayed_after_that_run(world, run, session):
    """`payouts cancel` dates a cancel on the latest batch day; the rebuild knows it came later."""
    card = world.card()
    batch = world.batch(day=START)
    instruction = world.instruction(card, batch=batch, day=START)
    world.debit_batch(batch, day=START)
    session.commit()
    for offset in range(3):
        run(START + offset * DAY)
    world.cancel(instruction, day=START)
    session.commit()
    run(START + 3 * DAY)
    (missing,) = all_breaks(session)
    assert (missing.detected_on, missing.resolved_on) == (START + 2 * DAY, START + 3 * DAY)
    daily = _history(session)
    rebuild(session, day=START + 3 * DAY, actor="tester")
    session.commit()
    assert _history(session) == daily
