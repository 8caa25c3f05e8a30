"""The queue skips a fact's dated rows that both readers would take at once (migration 0018)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from prakerja.operations.timeline import advance_to
from prakerja.reconciliation.models import ReconciliationChange
from prakerja.reconciliation.service import reconcile
from prakerja.registry.models import Card
from prakerja.transactions.models import Voucher
from tests.reconciliation.factories import PURCHASED, World

REACHED = PURCHASED + dt.timedelta(days=20)
AHEAD = REACHED + dt.timedelta(days=3)


def _queued(session: Session, **key: str) -> list[dt.date | None]:
    """The days of the queue rows naming `key`, undated first."""
    rows = select(ReconciliationChange.on_day).filter_by(**key)
    days = list(session.scalars(rows))
    return sorted(days, key=lambda day: (day is not None, day or dt.date.min))


def _fresh_queue(session: Session) -> None:
    session.execute(delete(ReconciliationChange))


def _voucher_days(world: World, *, completed_on: dt.date) -> list[dt.date | None]:
    card = world.card()
    code = world.voucher(card, completed_on=completed_on, reviewed_on=completed_on)
    return _queued(world.session, voucher_code=code)


def test_before_both_readers_have_run_every_dated_row_is_queued(session: Session) -> None:
    world = World(session)
    done = PURCHASED + dt.timedelta(days=2)
    assert _voucher_days(world, completed_on=done) == [None, PURCHASED, done, done]
    reconcile(session, day=REACHED, actor="daily")  # the time rules have not run: still every row
    _fresh_queue(session)
    assert _voucher_days(world, completed_on=done) == [None, PURCHASED, done, done]


def test_rows_due_for_both_readers_are_left_out_and_days_ahead_kept(session: Session) -> None:
    world = World(session)
    advance_to(session, day=REACHED)
    reconcile(session, day=REACHED, actor="daily")
    _fresh_queue(session)
    assert _voucher_days(world, completed_on=REACHED) == [None]
    assert _voucher_days(world, completed_on=AHEAD) == [None, AHEAD, AHEAD]
    card = world.card()
    _fresh_queue(session)
    for revoked_on, expected in ((REACHED, [None]), (AHEAD, [None, AHEAD])):
        session.execute(update(Card).where(Card.card_number == card).values(revoked_on=revoked_on))
        assert _queued(session, card_number=card) == expected, revoked_on
        _fresh_queue(session)
    code = world.voucher(world.card())
    _fresh_queue(session)
    world.attend(code, 1, day=REACHED - dt.timedelta(days=1))
    world.attend(code, 2, day=AHEAD)
    assert _queued(session, voucher_code=code) == [None, None, AHEAD]
    session.execute(update(Voucher).where(Voucher.voucher_code == code).values(reviewed_on=AHEAD))
    assert AHEAD in _queued(session, voucher_code=code)


def test_postgresql_vacuums_the_queues_as_often_as_they_empty(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("autovacuum is PostgreSQL's")
    for queue in ("reconciliation_changes", "time_rule_changes"):
        options = session.scalar(
            text("SELECT reloptions FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": queue}
        )
        assert "autovacuum_vacuum_scale_factor=0" in options, queue
