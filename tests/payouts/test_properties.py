"""Property tests: over random days, results, failures, cancels, re-runs and account changes,
no entitlement is paid twice, every payable entitlement is instructed, and the books balance.

Partners here are not honest: a result may answer any instruction (a late one on an earlier
attempt, a second SUCCESS, a SUCCESS after a FAILED, one for a cancelled instruction), name an
instruction the program never issued, or come from another partner than the one instructed.
The checks read the raw facts (instructions, results, accounts) and judge the product's states
against them after every step.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from prakerja.ingest.pipeline import import_files
from prakerja.kit.errors import ConflictError
from prakerja.operations.timeline import advance_to
from prakerja.payouts import service as payouts
from prakerja.payouts.loaders import PartnerResultsLoader, PayoutAccountsLoader
from prakerja.payouts.models import (
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.storage.db import unit_of_work
from tests.builders import read_csv
from tests.conftest import empty_all_tables
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    stamp,
    write_accounts,
    write_results,
)

START = dt.date(2020, 4, 20)
CARDS = 3
PARTNERS = ("OVO", "DANA", "BNI")

#: Per card, days from START to its training's completion, then to its review.
card_plans = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=CARDS, max_size=CARDS
)
picks = st.integers(0, 60)
run = st.tuples(st.just("run"), st.one_of(st.just(0), st.integers(1, 20)), st.booleans())
link = st.tuples(st.just("link"), st.integers(0, CARDS - 1), st.integers(0, 2))
succeed = st.tuples(st.just("succeed"), picks, st.integers(0, 3))
fail = st.tuples(st.just("fail"), picks, st.booleans())
late = st.tuples(st.just("late"), picks, st.tuples(st.booleans(), st.integers(0, 3)))
stray = st.tuples(st.just("stray"), picks, st.booleans())
cancel = st.tuples(st.just("cancel"), picks, st.booleans())
#: Weighted toward what moves money: runs (same-day re-runs included), answers, late answers.
actions = st.lists(
    st.one_of(run, run, run, link, succeed, succeed, fail, fail, late, late, stray, cancel),
    min_size=6,
    max_size=24,
)

#: The first business day the program is driven on: most cards fall due around it.
FIRST_DAY = START + dt.timedelta(days=5)
#: The audit's stories, always run: the first card alone is due on the first day; its
#: attempt 1 fails, the participant links another account and the day's run sends attempt 2;
#: then attempt 1's late SUCCESS arrives - before the retry's cancel, its FAILED or its SUCCESS.
AUDIT_PLANS = [(0, 1), (6, 6), (6, 6)]
_RETRIED = [("run", 0, False), ("fail", 0, True)]
LATE_SUCCESS_THEN_CANCEL = [
    *_RETRIED,
    ("late", 0, (True, 0)),
    ("cancel", 1, False),
    ("run", 0, False),
    ("run", 1, False),
]
LATE_SUCCESS_THEN_RETRY_FAILS = [*_RETRIED, ("late", 0, (True, 0)), ("fail", 0, False)]
#: The retry's SUCCESS two days after attempt 1's, arriving after it, or before it.
LATE_SUCCESS_THEN_RETRY_SUCCEEDS = [
    *_RETRIED,
    ("late", 0, (True, 0)),
    ("run", 2, False),
    ("succeed", 0, 0),
]
RETRY_SUCCEEDS_THEN_EARLIER_SUCCESS = [
    *_RETRIED,
    ("run", 2, False),
    ("succeed", 0, 0),
    ("late", 0, (True, 2)),
]
#: A same-day re-run into another folder after a failure and a new account.
RERUN_INTO_ANOTHER_FOLDER = [
    ("run", 0, False),
    ("fail", 0, False),
    ("link", 0, 1),
    ("run", 0, False),
    ("run", 0, False),
    ("run", 0, True),
]


@dataclass
class Program:
    """Drives the product as its operator and careless partners would, one business day at a time."""

    engine: object
    folder: object
    cards: list[str]
    day: dt.date = FIRST_DAY
    hour: int = 8
    files: int = 0
    out: object = None
    #: Per entitlement, its highest attempt when its first SUCCESS became known.
    attempts_at_success: dict[int, int] = field(default_factory=dict)
    #: Per batch, the folder its rows were written into.
    batch_folders: dict[str, object] = field(default_factory=dict)

    def _file(self, name):
        self.files += 1
        return self.folder / f"{self.files:03d}-{name}.csv"

    def _stamp(self, day=None):
        self.hour = min(self.hour + 1, 23)
        return stamp(day or self.day, self.hour, self.files % 60)

    def run(self, days, same_folder):
        """A payouts run, then its files - into the last folder, or a new one."""
        self.day += dt.timedelta(days=days)
        if days:
            self.hour = 8
        if not same_folder or self.out is None:
            self.out = self.folder / f"out-{self.files:03d}"
            self.files += 1
        with unit_of_work(self.engine) as session:
            advance_to(session, day=self.day)
            batches = payouts.run_payouts(session, day=self.day)
        before = {path.name: _filed(path) for path in self.out.glob("*.csv")}
        with unit_of_work(self.engine) as session:
            cancelled = set(
                session.scalars(
                    select(Instruction.instruction_id).where(Instruction.state == "CANCELLED")
                )
            )
            written = payouts.instruction_files(session, day=self.day, out=self.out)
        if not batches:  # nothing new, and every earlier batch was written: no file
            assert written == []
        filed = set()
        for path, count in written:
            rows = _filed(path)
            assert len(rows) == count and not cancelled & set(rows), path
            # a file already here keeps what stands of its rows
            assert set(before.get(path.name, {})) - cancelled <= set(rows), path
            for batch in rows.values():
                filed.add(batch)
                # a batch is sent into one folder only
                assert self.batch_folders.setdefault(batch, self.out) == self.out, batch
        assert {batch.batch_id for batch in batches} <= filed

    def link(self, index, partner):
        row = account_row(
            self.cards[index],
            partner=PARTNERS[partner],
            account_id=f"08{self.files:08d}",
            linked_at=self._stamp(),
        )
        import_files(self.engine, PayoutAccountsLoader(), [write_accounts(self._file("a"), [row])])

    def instructions(self, *states):
        """The instructions issued by today, in these states (default: any)."""
        query = select(Instruction).where(Instruction.created_on <= self.day)
        if states:
            query = query.where(Instruction.state.in_(states))
        with unit_of_work(self.engine) as session:
            return session.scalars(query.order_by(Instruction.instruction_id)).all()

    def _deliver(self, row):
        path = write_results(self._file("r"), [row])
        import_files(self.engine, PartnerResultsLoader(), [path])
        import_files(self.engine, PartnerResultsLoader(), [path])  # re-delivered

    def answer(self, pick, status, days_back, *states):
        """Answer an instruction in one of these states (default: any); return its card."""
        found = self.instructions(*states)
        if not found:
            return None
        target = found[pick % len(found)]
        processed = max(target.created_on, self.day - dt.timedelta(days=days_back))
        self._deliver(
            {
                "partner_code": target.partner_code,
                "instruction_id": target.instruction_id,
                "partner_txn_id": f"TX-{self.files}",
                "account_id": target.account_id,
                "amount_idr": str(target.amount_idr),
                "status": status,
                "failure_code": "ACCOUNT_NOT_VERIFIED" if status == "FAILED" else "",
                "processed_at": self._stamp(processed),
            }
        )
        return target.card_number

    def fail(self, pick, *, retry):
        """A FAILED result; or the whole story: a new account, and the day's run retries it."""
        card = self.answer(pick, "FAILED", 0, "OPEN")
        if retry and card is not None:
            self.link(self.cards.index(card), (self.files + 1) % len(PARTNERS))
            self.run(0, True)
        return retry and card is not None

    def stray(self, pick, unknown_id):
        """A SUCCESS naming an instruction never issued, or a real one from another partner."""
        found = self.instructions()
        if unknown_id or not found:
            partner, instruction_id = "OVO", f"INS-NEVER-{self.files}"
        else:
            target = found[pick % len(found)]
            partner = next(p for p in PARTNERS if p != target.partner_code)
            instruction_id = target.instruction_id
        self._deliver(
            {
                "partner_code": partner,
                "instruction_id": instruction_id,
                "partner_txn_id": f"STRAY-{self.files}",
                "account_id": "0800",
                "amount_idr": "600000",
                "status": "SUCCESS",
                "failure_code": "",
                "processed_at": self._stamp(),
            }
        )

    def cancel(self, pick, dated):
        """Cancel any instruction: allowed only when open and unanswered by its partner."""
        found = self.instructions()
        if not found:
            return
        target = found[pick % len(found)]
        with unit_of_work(self.engine) as session:
            answered = session.scalar(
                select(PartnerResult.id).where(
                    PartnerResult.instruction_id == target.instruction_id,
                    PartnerResult.partner_code == target.partner_code,
                )
            )
        allowed = target.state == "OPEN" and answered is None
        try:
            with unit_of_work(self.engine) as session:
                payouts.cancel_instruction(
                    session,
                    instruction_id=target.instruction_id,
                    reason="partner never executed it",
                    day=self.day if dated else None,
                )
        except ConflictError:
            assert not allowed, target.instruction_id
        else:
            assert allowed, target.instruction_id


def _filed(path):
    """Each instruction of a written file with its batch; an instruction appears once."""
    rows = read_csv(path)
    filed = {row["instruction_id"]: row["batch_id"] for row in rows}
    assert len(filed) == len(rows), path
    return filed


def _facts(session):
    """Each entitlement with its instructions and the results that answer them."""
    session.expire_all()
    instructions = defaultdict(list)
    for instruction in session.scalars(select(Instruction).order_by(Instruction.attempt)):
        instructions[instruction.entitlement_id].append(instruction)
    issued = {(i.instruction_id, i.partner_code): i for mine in instructions.values() for i in mine}
    answers = defaultdict(list)
    for result in session.scalars(select(PartnerResult)):
        instruction = issued.get((result.instruction_id, result.partner_code))
        if instruction is not None:
            answers[instruction.instruction_id].append(result)
    return instructions, answers


def _check(session, program, *, after_run):
    instructions, answers = _facts(session)
    links = defaultdict(list)
    for link in session.scalars(select(PayoutAccount).order_by(PayoutAccount.linked_at)):
        if link.linked_on <= program.day:
            links[link.card_number].append(link.linked_at)
    paid_total = 0
    for entitlement in session.scalars(select(Entitlement)):
        mine = instructions[entitlement.id]
        results = [r for i in mine for r in answers[i.instruction_id]]
        successes = [r for r in results if r.status == "SUCCESS"]
        unanswered = [i for i in mine if i.cancelled_on is None and not answers[i.instruction_id]]
        where = (entitlement.card_number, entitlement.kind, entitlement.tranche)
        # no entitlement is instructed after a SUCCESS for it is known
        if successes:
            paid_total += entitlement.amount_idr
            top = max(i.attempt for i in mine)
            assert program.attempts_at_success.setdefault(entitlement.id, top) == top, where
        # in flight: exactly the instructions neither answered nor cancelled, at most one
        assert len(unanswered) <= 1, where
        assert {i.instruction_id for i in mine if i.state == "OPEN"} == {
            i.instruction_id for i in unanswered
        }, where
        # at most one payment: one as soon as a SUCCESS is known and nothing is in flight
        payments = [i for i in mine if i.state == "SUCCEEDED"]
        assert len(payments) == (1 if successes and not unanswered else 0), where
        assert all(answers[i.instruction_id] for i in payments), where
        # paid from the earliest SUCCESS's day (the survey windows' anchor)
        assert entitlement.paid_on == min((r.processed_on for r in successes), default=None)
        # every due entitlement with an account, no SUCCESS and nothing in flight is instructed
        # (a retry once an account is linked after the latest failed attempt's failures)
        failed = [
            [r.processed_at for r in answers[i.instruction_id] if r.status == "FAILED"]
            for i in mine
            if i.cancelled_on is None
        ]
        failed = [times for times in failed if times]
        accounts = links[entitlement.card_number]
        ready = bool(accounts) and (not failed or accounts[-1] > max(failed[-1]))
        payable = entitlement.due_on <= program.day and not successes and ready
        if after_run:
            assert unanswered or not payable, (where, [(i.attempt, i.state) for i in mine])
    proof = payouts.prove_books(session)
    assert proof.balanced, proof
    assert proof.ledger.paid == paid_total, proof
    if after_run:
        unwritten = session.scalars(
            select(PaymentBatch.batch_id).where(PaymentBatch.files_written_at.is_(None))
        ).all()
        assert unwritten == []


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=card_plans, steps=actions)
@example(plans=AUDIT_PLANS, steps=LATE_SUCCESS_THEN_CANCEL)
@example(plans=AUDIT_PLANS, steps=LATE_SUCCESS_THEN_RETRY_FAILS)
@example(plans=AUDIT_PLANS, steps=LATE_SUCCESS_THEN_RETRY_SUCCEEDS)
@example(plans=AUDIT_PLANS, steps=RETRY_SUCCEEDS_THEN_EARLIER_SUCCESS)
@example(plans=AUDIT_PLANS, steps=RERUN_INTO_ANOTHER_FOLDER)
def test_no_double_payment_nothing_forgotten_books_balanced(engine, tmp_path_factory, plans, steps):
    empty_all_tables(engine)
    folder = tmp_path_factory.mktemp("program")
    with unit_of_work(engine) as session:
        cards = []
        for serial, (completed, reviewed) in enumerate(plans, start=1):
            card = make_card(session, serial=serial)
            done = START + dt.timedelta(days=completed)
            make_training(
                session, card, completed_on=done, reviewed_on=done + dt.timedelta(days=reviewed)
            )
            cards.append(card)
    program = Program(engine, folder, cards)
    for index in range(CARDS):
        program.link(index, index)
    for action, value, option in steps:
        ran = action == "run"
        if ran:
            program.run(value, option)
        elif action == "link":
            program.link(value, option)
        elif action == "succeed":  # an answer, or the paying instruction's second SUCCESS
            program.answer(value, "SUCCESS", option, "OPEN", "SUCCEEDED")
        elif action == "late":  # a late answer to an earlier (failed or cancelled) attempt
            success, days_back = option
            status = "SUCCESS" if success else "FAILED"
            program.answer(value, status, days_back, "FAILED", "CANCELLED")
        elif action == "fail":
            ran = program.fail(value, retry=option)
        elif action == "stray":
            program.stray(value, option)
        else:
            program.cancel(value, option)
        with unit_of_work(engine) as session:
            _check(session, program, after_run=ran)
    program.run(1, False)
    with unit_of_work(engine) as session:
        _check(session, program, after_run=True)
