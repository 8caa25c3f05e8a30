"""Property: a scoped daily run stores what a full daily run stores, day after day.

Two databases live the same program: the same facts arrive in both between
runs (payments, results late, twice, failed or naming no instruction,
barring lists and revocations back-dated, cancellations, holds, accounts,
completions and reviews, invoices, attendance, bank lines, facts dated
ahead). One reconciles each day scoped (only the keys that changed), the
other full (the default); after every day their breaks (ids, types,
descriptions, statuses, resolutions), gap reports and escrow proofs agree.
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

from prakerja.operations.timeline import advance_to
from prakerja.payouts.models import Entitlement, Instruction
from prakerja.reconciliation import daily
from prakerja.reconciliation.models import Break, ReconciliationChange, ReconciliationRun
from prakerja.reconciliation.service import RunSummary, reconcile
from prakerja.registry.models import Card
from prakerja.storage.db import make_engine, session_factory
from prakerja.storage.migrate import upgrade
from prakerja.transactions.models import Voucher
from tests.conftest import empty_all_tables, empty_database
from tests.reconciliation.factories import AMOUNT, D, World

START = D(2020, 5, 4)
DAY = dt.timedelta(days=1)
CARDS = 4
DAYS = 7


@pytest.fixture(scope="module")
def twin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second migrated database (another SQLite file, or another PostgreSQL schema)."""
    with empty_database(tmp_path_factory.mktemp("twin"), "prakerja_twin") as url:
        upgrade(make_engine(url))
        yield url


@pytest.fixture(scope="module")
def twin_engine(twin_url: str) -> Iterator[Engine]:
    """The twin database's engine."""
    engine = make_engine(twin_url)
    yield engine
    engine.dispose()


#: One thing that happens on a day: (what, which card, a small number, a lag in days).
events = st.tuples(
    st.sampled_from(
        [
            "instruct",
            "success",
            "failed",
            "short",
            "elsewhere",
            "twice",
            "unknown",
            "exclude",
            "revoke",
            "cancel",
            "hold",
            "account",
            "complete",
            "review",
            "invoice",
            "attend",
            "debit",
            "credit",
            "ahead",
        ]
    ),
    st.integers(min_value=0, max_value=CARDS - 1),
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=3),
)
programs = st.lists(st.lists(events, max_size=5), min_size=DAYS, max_size=DAYS)


class Life:
    """One database's world, driven by the events; both twins make the same calls in order."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.world = World(session)
        self.cards = [self.world.card() for _ in range(CARDS)]
        self.vouchers = [self.world.voucher(card) for card in self.cards]
        self.world.course("C-WEB", course_type="WEBINAR", sessions=2)
        self.attempts = dict.fromkeys(self.cards, 0)
        self.batches: dict[dt.date, str] = {}
        self.invoices = 0
        self.done: set[tuple[object, ...]] = set()

    def once(self, *key: object) -> bool:
        """Whether `key` happens for the first time (a unique fact cannot be added twice)."""
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def _latest(self, card: str) -> Instruction | None:
        attempt = self.attempts[card]
        if not attempt:
            return None
        return self.session.get(Instruction, f"INS-{card}-PT-01-{attempt:02d}")

    def _batch(self, day: dt.date) -> str:
        if day not in self.batches:
            self.batches[day] = self.world.batch(day=day, run=len(self.batches) + 1)
        return self.batches[day]

    def happen(self, event: tuple[str, int, int, int], day: dt.date) -> None:
        """Apply one event on `day` (an event that cannot apply does nothing)."""
        kind, which, number, lag = event
        card = self.cards[which]
        back = max(START, day - lag * DAY)
        latest = self._latest(card)
        world = self.world
        if kind == "instruct":
            if latest is None or latest.state in ("FAILED", "CANCELLED"):
                self.attempts[card] += 1
                world.instruction(
                    card, batch=self._batch(day), day=day, attempt=self.attempts[card]
                )
        elif kind in ("success", "failed", "short", "elsewhere", "twice") and latest:
            options = {
                "failed": {"status": "FAILED"},
                "short": {"amount": AMOUNT - 1},
                "elsewhere": {"account": "0899"},
            }.get(kind, {})
            world.result(latest.instruction_id, day=back, **options)
            if kind == "twice":
                world.result(latest.instruction_id, day=day)
        elif kind == "unknown":
            world.result(f"INS-NEVER-{number}", day=back, partner="OVO")
        elif kind == "exclude" and self.once("exclude", card, back.month):
            world.exclusion(card, list_code="STUDENT", effective_from=back)
        elif kind == "revoke":
            self._set(Card, Card.card_number == card, revoked_on=back, status="REVOKED")
        elif kind == "cancel" and latest is not None and latest.state == "OPEN":
            world.cancel(latest.instruction_id, day=day)
        elif kind == "hold":
            self._set(Entitlement, Entitlement.card_number == card, held_from=back)
        elif kind == "account":
            world.account(card, linked_on=back)
        elif kind in ("complete", "review"):
            column = "completed_on" if kind == "complete" else "reviewed_on"
            self._set(Voucher, Voucher.card_number == card, **{column: back})
        elif kind == "invoice":
            self.invoices += 1
            code = self.vouchers[which] if number else "V-NEVER-SOLD"
            invoice_no = f"INV-{self.invoices % 3}"
            if self.once("invoice", code, invoice_no):  # a platform's line is unique
                world.invoice(code, invoice_no=invoice_no, day=back)
        elif kind == "attend" and self.once("attend", which, number):
            world.attend(self.vouchers[which], number + 1, day=day)
        elif kind == "debit" and self.batches:
            batch = sorted(self.batches.values())[which % len(self.batches)]
            world.debit_batch(batch, day=day, amount=None if number else AMOUNT - 7)
        elif kind == "credit":
            world.bank_line(day=day, amount=10_000_000, direction="CREDIT", counterparty="APBN")
        elif kind == "ahead" and latest is not None:
            world.result(latest.instruction_id, day=day + (number + 1) * DAY, status="FAILED")

    def _set(self, model: type, where: object, **values: object) -> None:
        self.session.execute(update(model).where(where).values(**values))  # type: ignore[arg-type]
        self.session.flush()


def _stored(session: Session) -> list[tuple]:
    """Every stored break, every column, in id order."""
    session.expire_all()
    columns = list(Break.__table__.columns)
    rows = session.execute(select(*columns).order_by(Break.break_id))
    return [tuple(row) for row in rows]


def _position(summary: RunSummary) -> tuple:
    return (
        summary.open_by_type,
        summary.opened,
        summary.resolved,
        summary.gap,
        summary.escrow,
    )


@settings(
    max_examples=int(os.environ.get("PRAKERJA_SCOPED_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs, with_time_rules=st.booleans())
def test_scoped_daily_runs_store_what_full_runs_store(
    engine, session, twin_engine, program, with_time_rules
):
    session.rollback()
    empty_all_tables(engine)
    empty_all_tables(twin_engine)
    session.expire_all()
    with session_factory(twin_engine)() as twin:
        scoped, full = Life(session), Life(twin)
        scoped_runs = 0
        for offset, day_events in enumerate(program):
            day = START + offset * DAY
            for life in (scoped, full):
                for event in day_events:
                    life.happen(event, day)
                if with_time_rules:  # as the daily command: the queue then skips what is due
                    advance_to(life.session, day=day)
                life.session.commit()
            one = reconcile(session, day=day, actor="daily")
            session.commit()
            other = reconcile(twin, day=day, actor="daily", full=True)
            twin.commit()
            assert _position(one) == _position(other), day
            assert _stored(session) == _stored(twin), day
            run = session.scalars(
                select(ReconciliationRun).order_by(ReconciliationRun.id.desc())
            ).first()
            assert run is not None
            assert run.scoped is (offset > 0)
            scoped_runs += bool(run.scoped)
            session.rollback()
            twin.rollback()
        assert scoped_runs == DAYS - 1


def test_a_fact_committed_while_a_run_reads_is_reconciled_by_the_next_run(
    engine, session, world, monkeypatch
):
    card = world.card()
    batch = world.batch(day=START)
    sent = world.instruction(card, batch=batch, day=START)
    world.debit_batch(batch, day=START)
    session.commit()
    reconcile(session, day=START, actor="daily")
    session.commit()
    taken = daily.queue.take_due_changes

    def take_then_commit_elsewhere(session_: Session, *, day: dt.date, keys: bool) -> None:
        taken(session_, day=day, keys=keys)
        with session_factory(engine)() as importer:
            World(importer, _serial=iter(range(1000, 2000))).result(  # type: ignore[arg-type]
                sent, day=START, status="FAILED"
            )
            importer.commit()

    monkeypatch.setattr(daily.queue, "take_due_changes", take_then_commit_elsewhere)
    reconcile(session, day=START + DAY, actor="daily")
    session.commit()
    monkeypatch.undo()
    waiting = session.scalars(
        select(ReconciliationChange.instruction_id).where(
            ReconciliationChange.instruction_id == sent
        )
    ).all()
    assert waiting == [sent], "the result committed after the copy stays queued"
    reconcile(session, day=START + 2 * DAY, actor="daily")
    session.commit()
    session.expire_all()
    failed = session.scalars(
        select(Break).where(Break.break_type == "FAILED_PAYMENT", Break.status == "OPEN")
    ).all()
    assert [b.card_number for b in failed] == [card]
    assert not session.scalars(select(ReconciliationChange)).all()


def test_full_is_asked_or_needed_after_a_rebuild(session, world):
    from prakerja.reconciliation.service import rebuild

    card = world.card()
    world.instruction(card, batch=world.batch(day=START), day=START)
    session.commit()

    def last_run() -> ReconciliationRun:
        session.expire_all()
        run = session.scalars(
            select(ReconciliationRun).order_by(ReconciliationRun.id.desc())
        ).first()
        assert run is not None
        return run

    reconcile(session, day=START, actor="daily")
    assert last_run().scoped is False
    reconcile(session, day=START + DAY, actor="daily")
    assert last_run().scoped is True
    assert last_run().cards_read == 1
    reconcile(session, day=START + DAY, actor="daily", full=True)
    assert last_run().scoped is False
    rebuild(session, day=START + DAY, actor="daily")
    reconcile(session, day=START + 2 * DAY, actor="daily")
    assert last_run().scoped is False
    session.rollback()
