"""The queues' statistics: a busy day's hand-over is planned for its rows, not a quiet day's."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from prakerja.reconciliation import queue
from prakerja.reconciliation.models import ReconciliationChange, TimeRuleChange
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows

DAY = dt.date(2020, 6, 2)
ROWS = 3_000


def _estimate(session: Session, table: str) -> float:
    return float(
        session.scalar(text(f"SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass"))
    )


def test_a_run_plans_its_hand_over_with_the_queues_current_rows(session: Session) -> None:
    cards = [f"{number:016d}" for number in range(ROWS)]
    append_rows(
        session,
        table_of(ReconciliationChange),
        pa.table(
            {
                "on_day": pa.array([DAY] * ROWS, pa.date32()),
                "card_number": pa.array(cards[: ROWS // 2] * 2, pa.string()),
            }
        ),
    )
    queue.take_due_changes(session, day=DAY)
    if session.get_bind().dialect.name == "postgresql":
        assert _estimate(session, "reconciliation_changes") == ROWS
        assert _estimate(session, "pg_temp.scope_seen") == ROWS
    assert queue.forget_seen_changes(session) == ROWS
    moved = session.scalar(select(func.count()).select_from(table_of(TimeRuleChange)))
    assert moved == ROWS // 2  # each card and day once
    queue.take_changed_cards(session, day=DAY)
    if session.get_bind().dialect.name == "postgresql":
        assert _estimate(session, "time_rule_changes") == ROWS // 2
        assert _estimate(session, "pg_temp.time_rules_taken") == ROWS // 2


def _queue_cards(session: Session, cards: list[str]) -> None:
    append_rows(
        session,
        table_of(ReconciliationChange),
        pa.table(
            {
                "on_day": pa.array([DAY] * len(cards), pa.date32()),
                "card_number": pa.array(cards, pa.string()),
            }
        ),
    )


def _handed_on(session: Session) -> set[str]:
    return set(session.scalars(select(TimeRuleChange.card_number)))


def test_a_run_after_the_time_rules_hands_on_only_what_they_did_not_read(
    session: Session,
) -> None:
    _queue_cards(session, ["0000000000000001", "0000000000000002"])
    read = queue.take_changed_cards(session, day=DAY)
    assert sorted(read.to_pylist()) == ["0000000000000001", "0000000000000002"]
    queue.forget_taken_cards(session)
    _queue_cards(session, ["0000000000000003"])  # queued after the time rules read
    queue.take_due_changes(session, day=DAY)
    assert queue.forget_seen_changes(session) == 3
    assert _handed_on(session) == {"0000000000000003"}


def test_what_the_time_rules_read_in_another_transaction_is_handed_on(
    session: Session,
) -> None:
    _queue_cards(session, ["0000000000000001", "0000000000000002"])
    session.commit()
    queue.take_changed_cards(session, day=DAY)
    session.rollback()  # the time rules' work is lost: the run must hand the cards on
    queue.take_due_changes(session, day=DAY)
    assert queue.forget_seen_changes(session) == 2
    assert _handed_on(session) == {"0000000000000001", "0000000000000002"}
