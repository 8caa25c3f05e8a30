"""Property tests: over random days, results, failures, cancels, re-runs and account changes,
no entitlement is paid twice, every payable entitlement is instructed, and the books balance."""

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from prakerja.ingest.pipeline import import_files
from prakerja.operations.timeline import advance_to
from prakerja.payouts import service as payouts
from prakerja.payouts.loaders import PartnerResultsLoader, PayoutAccountsLoader
from prakerja.payouts.models import (
    Entitlement,
    Instruction,
    PartnerResult,
    PayoutAccount,
)
from prakerja.storage.db import unit_of_work
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

card_plans = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=CARDS, max_size=CARDS
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(0, 20)),
        st.tuples(st.just("rerun"), st.just(0)),
        st.tuples(st.just("link"), st.integers(0, CARDS - 1)),
        st.tuples(st.just("succeed"), st.integers(0, 10)),
        st.tuples(st.just("fail"), st.integers(0, 10)),
        st.tuples(st.just("cancel"), st.integers(0, 10)),
    ),
    min_size=3,
    max_size=14,
)


class Program:
    """Drives the product as its operator and honest partners would, one business day at a time."""

    def __init__(self, engine, folder, cards):
        self.engine = engine
        self.folder = folder
        self.cards = cards
        self.day = START
        self.hour = 8
        self.files = 0

    def _file(self, name):
        self.files += 1
        return self.folder / f"{self.files:03d}-{name}.csv"

    def _stamp(self):
        self.hour += 1
        return stamp(self.day, min(self.hour, 23), self.files % 60)

    def run(self, days):
        self.day += dt.timedelta(days=days)
        self.hour = 8
        with unit_of_work(self.engine) as session:
            advance_to(session, self.day)
            payouts.run_payouts(session, day=self.day)

    def link(self, index):
        row = account_row(
            self.cards[index],
            partner=("OVO", "DANA", "BNI")[self.files % 3],
            account_id=f"08{self.files:08d}",
            linked_at=self._stamp(),
        )
        import_files(self.engine, PayoutAccountsLoader(), [write_accounts(self._file("a"), [row])])

    def open_instructions(self):
        with unit_of_work(self.engine) as session:
            return session.scalars(
                select(Instruction)
                .where(Instruction.state == "OPEN", Instruction.created_on <= self.day)
                .order_by(Instruction.instruction_id)
            ).all()

    def answer(self, pick, status):
        found = self.open_instructions()
        if not found:
            return
        target = found[pick % len(found)]
        row = {
            "partner_code": target.partner_code,
            "instruction_id": target.instruction_id,
            "partner_txn_id": f"TX-{self.files}",
            "account_id": target.account_id,
            "amount_idr": str(target.amount_idr),
            "status": status,
            "failure_code": "ACCOUNT_NOT_VERIFIED" if status == "FAILED" else "",
            "processed_at": self._stamp(),
        }
        path = write_results(self._file("r"), [row])
        import_files(self.engine, PartnerResultsLoader(), [path])
        import_files(self.engine, PartnerResultsLoader(), [path])  # re-delivered

    def instruction_count(self):
        with unit_of_work(self.engine) as session:
            return len(session.scalars(select(Instruction.instruction_id)).all())

    def cancel(self, pick):
        found = self.open_instructions()
        if not found:
            return
        with unit_of_work(self.engine) as session:
            payouts.cancel_instruction(
                session,
                instruction_id=found[pick % len(found)].instruction_id,
                reason="partner never executed it",
                day=self.day,
            )


def _check(session, day):
    session.expire_all()
    entitlements = session.scalars(select(Entitlement)).all()
    instructions = defaultdict(list)
    for instruction in session.scalars(select(Instruction)):
        instructions[instruction.entitlement_id].append(instruction)
    successes = defaultdict(int)
    by_id = {i.instruction_id: i for group in instructions.values() for i in group}
    for result in session.scalars(select(PartnerResult).where(PartnerResult.status == "SUCCESS")):
        successes[by_id[result.instruction_id].entitlement_id] += 1
    accounts = defaultdict(list)
    for link in session.scalars(select(PayoutAccount).order_by(PayoutAccount.linked_at)):
        if link.linked_on <= day:
            accounts[link.card_number].append(link.linked_at)
    for entitlement in entitlements:
        mine = sorted(instructions[entitlement.id], key=lambda i: i.attempt)
        # never paid twice, never two instructions in flight or paid
        assert successes[entitlement.id] <= 1
        assert sum(i.state in ("OPEN", "SUCCEEDED") for i in mine) <= 1
        # every entitlement that can be paid has an instruction in flight or paid
        live = any(i.state in ("OPEN", "SUCCEEDED") for i in mine)
        failed = [i for i in mine if i.state == "FAILED"]
        links = accounts[entitlement.card_number]
        payable = (
            entitlement.due_on <= day
            and bool(links)
            and (not failed or links[-1] > failed[-1].result_at)
        )
        assert live or not payable, (entitlement.card_number, entitlement.tranche, mine)
    proof = payouts.prove_books(session)
    assert proof.balanced, proof


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=card_plans, steps=actions)
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
    program.link(0)
    for action, value in steps:
        if action == "run":
            program.run(value)
        elif action == "rerun":
            program.run(0)
            before = program.instruction_count()
            program.run(0)
            assert program.instruction_count() == before
        elif action == "link":
            program.link(value)
        elif action == "cancel":
            program.cancel(value)
        else:
            program.answer(value, "SUCCESS" if action == "succeed" else "FAILED")
        if action in ("run", "rerun"):
            with unit_of_work(engine) as session:
                _check(session, program.day)
    program.run(1)
    with unit_of_work(engine) as session:
        _check(session, program.day)
