"""Property: the day's time rules, reading only what changed, do what reading everything does.

Two databases live the same program: the same facts arrive in both before
each business day (purchases, completions, reviews and refunds, accounts
linked and relinked, barring lists; back-dated or dated ahead). One applies
the time rules as `advance_to` does (only the cards that changed or fall due
by time, the daily reconciliation consuming the queue before, after or
without them); the other evaluates every card each day. Days go forward,
skip, and go back. After every day both hold the same entitlements (found
the same day, held alike) and the same ledger entries.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from prakerja.ledger.models import LedgerEntry
from prakerja.operations.timeline import advance_to
from prakerja.payouts import service as payouts
from prakerja.payouts.models import Entitlement
from prakerja.reconciliation.service import latest_run_day, reconcile
from prakerja.registry import service as registry
from prakerja.storage.db import make_engine, session_factory
from prakerja.storage.migrate import upgrade
from prakerja.transactions.models import Voucher
from tests.conftest import empty_all_tables, empty_database
from tests.reconciliation.factories import D, World

START = D(2020, 4, 25)
CARDS = 4
SCHEMES = ("PANDEMIC_2020", "NORMAL_2023")


@pytest.fixture(scope="module")
def twin_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A second migrated database (another SQLite file, or another PostgreSQL schema)."""
    with empty_database(tmp_path_factory.mktemp("twin"), "prakerja_time_twin") as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


#: One fact arriving: (what, which card, which of its vouchers, its date's offset from the day).
facts = st.tuples(
    st.sampled_from(
        ["buy", "finish", "finish", "complete", "review", "refund", "account", "account", "exclude"]
    ),
    st.integers(min_value=0, max_value=CARDS - 1),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=-12, max_value=6),
)
#: One business day: how far it moves (back, again, skipped ahead), its facts, and how the
#: daily reconciliation runs beside the time rules (not at all, after, or before them).
days = st.tuples(
    st.sampled_from([1, 1, 1, 0, 3, 17, 31, 31, 45, -2, -20]),
    st.lists(facts, max_size=6),
    st.sampled_from(["none", "after", "after", "before"]),
)
programs = st.lists(days, min_size=4, max_size=10)


class Life:
    """One database's facts, driven by the program; both twins make the same calls in order."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.world = World(session)
        self.cards = [self.world.card(scheme=SCHEMES[i % 2]) for i in range(CARDS)]
        bought = START - dt.timedelta(days=20)
        self.vouchers = {
            card: [self.world.voucher(card, purchased_on=bought)] for card in self.cards
        }
        for card in self.cards[::2]:
            self.world.account(card, linked_on=bought)
        self.excluded: set[tuple[str, int]] = set()

    def arrive(self, fact: tuple[str, int, int, int], day: dt.date) -> None:
        """Add one fact known on `day` (a fact that cannot apply does nothing)."""
        kind, which, pick, offset = fact
        card = self.cards[which]
        when = max(START - dt.timedelta(days=20), day + dt.timedelta(days=offset))
        vouchers = self.vouchers[card]
        if kind == "buy":
            vouchers.append(self.world.voucher(card, purchased_on=when))
        elif kind == "account":
            self.world.account(card, linked_on=when)
        elif kind == "exclude" and (card, when.month) not in self.excluded:
            self.excluded.add((card, when.month))
            self.world.exclusion(card, list_code="STUDENT", effective_from=when)
        elif kind in ("finish", "complete", "review", "refund"):
            columns = {
                "finish": ("completed_on", "reviewed_on"),
                "complete": ("completed_on",),
                "review": ("reviewed_on",),
            }.get(kind, ("refunded_on",))
            code = vouchers[min(pick, len(vouchers) - 1)]
            statement = update(Voucher).where(Voucher.voucher_code == code)
            self.session.execute(statement.values(dict.fromkeys(columns, when)))
        self.session.flush()


def _rules_reading_everything(session: Session, day: dt.date) -> None:
    """The time rules as they were: every card evaluated each day."""
    registry.revoke_unused_cards(session, day=day)
    registry.expire_balances(session, day=day)
    payouts.create_post_training_due(session, day=day)
    payouts.hold_barred(session, day=day)


def _entitlements(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    columns = [c for c in Entitlement.__table__.columns if c.name not in ("id", "created_at")]
    rows = session.execute(select(*columns).order_by(*columns[:3]))
    return [tuple(row) for row in rows]


def _entries(session: Session) -> list[tuple[object, ...]]:
    columns = [c for c in LedgerEntry.__table__.columns if c.name not in ("id", "created_at")]
    rows = session.execute(select(*columns).order_by(LedgerEntry.idempotency_key))
    return [tuple(row) for row in rows]


def _scoped_day(session: Session, day: dt.date, reconciling: str) -> None:
    """The time rules as `advance_to` applies them, the daily reconciliation beside them."""
    latest = latest_run_day(session)
    can_reconcile = reconciling != "none" and (latest is None or latest <= day)
    if can_reconcile and reconciling == "before":
        reconcile(session, day=day, actor="daily")
    advance_to(session, day=day)
    if can_reconcile and reconciling == "after":
        reconcile(session, day=day, actor="daily")


@settings(
    max_examples=int(os.environ.get("PRAKERJA_TIME_RULES_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
def test_time_rules_on_what_changed_create_what_reading_everything_creates(
    engine, session, twin_engine, program
):
    session.rollback()
    empty_all_tables(engine)
    empty_all_tables(twin_engine)
    session.expire_all()
    day = START
    with session_factory(twin_engine)() as twin:
        scoped, full = Life(session), Life(twin)
        for move, arriving, reconciling in program:
            day = max(START, day + dt.timedelta(days=move))
            for life in (scoped, full):
                for fact in arriving:
                    life.arrive(fact, day)
                life.session.commit()
            _scoped_day(session, day, reconciling)
            session.commit()
            _rules_reading_everything(twin, day)
            twin.commit()
            assert _entitlements(session) == _entitlements(twin), day
            assert _entries(session) == _entries(twin), day


def test_a_change_committed_between_the_time_rules_and_the_reconciliation_is_not_lost(
    engine, session, monkeypatch
):
    from prakerja.operations import timeline
    from prakerja.reconciliation.models import ReconciliationChange, TimeRuleChange

    day = D(2020, 5, 4)
    world = World(session)
    card = world.card()
    world.voucher(card, completed_on=day, reviewed_on=day)
    session.commit()
    advance_to(session, day=day)
    reconcile(session, day=day, actor="daily")
    advance_to(session, day=day)
    session.commit()
    taken = timeline.queue.take_changed_cards

    def take_then_link_elsewhere(session_: Session, *, day: dt.date) -> object:
        cards = taken(session_, day=day)
        with session_factory(engine)() as linker:
            linking = World(linker, _serial=iter(range(1000, 2000)))  # type: ignore[arg-type]
            linking.account(card, linked_on=day)
            linker.commit()
        return cards

    monkeypatch.setattr(timeline.queue, "take_changed_cards", take_then_link_elsewhere)
    advance_to(session, day=day + dt.timedelta(days=1))
    reconcile(session, day=day + dt.timedelta(days=1), actor="daily")
    session.commit()
    monkeypatch.undo()
    assert not session.scalars(select(ReconciliationChange.id)).all(), "the run took the row"
    handed = session.scalars(select(TimeRuleChange.card_number)).all()
    assert set(handed) == {card}, "and handed it on to the time rules, which had not seen it"
    assert _entitlements(session) == []
    advance_to(session, day=day + dt.timedelta(days=2))
    session.commit()
    found = [(row[0], row[2], row[4], row[7]) for row in _entitlements(session)]
    assert found == [(card, 1, day + dt.timedelta(days=1), day + dt.timedelta(days=2))]
    assert not session.scalars(select(TimeRuleChange.id)).all()
