"""Property test: over random repayments (part, over, unknown, re-delivered statements), every
claim's repaid amount is the sum of its own lines, the ledger holds each claim's receivable as its
amount less what was repaid, the books sum to zero, and the escrow proof explains every rupiah.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.ingest.pipeline import import_files
from prakerja.ledger.service import balance, balances_by_kind
from prakerja.payouts.loaders import BankStatementLoader
from prakerja.reconciliation.service import day_position, reconcile
from prakerja.recovery import service as recovery
from prakerja.storage.db import unit_of_work
from tests.conftest import empty_all_tables
from tests.reconciliation.factories import World
from tests.recovery.conftest import statement_csv, statement_xml
from tests.recovery.test_claims import PAID, ineligible

CLAIMS = 2
END = PAID + dt.timedelta(days=100)
#: One repayment: which claim it quotes (CLAIMS: a claim id nobody has), amount, day after PAID.
line = st.tuples(st.integers(0, CLAIMS), st.integers(1, 800_000), st.integers(0, 90))
#: One statement: its lines, whether it is camt.053, whether the bank delivers it twice.
statement = st.tuples(st.lists(line, min_size=1, max_size=3), st.booleans(), st.booleans())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(statements=st.lists(statement, min_size=1, max_size=4), checked=st.integers(0, 100))
def test_repayments_add_up_and_the_books_balance(engine, tmp_path_factory, statements, checked):
    empty_all_tables(engine)
    folder = tmp_path_factory.mktemp("bank")
    with unit_of_work(engine) as session:
        world = World(session)
        for n in range(CLAIMS):
            ineligible(world, amount=300_000 + n * 100_000, partner=("OVO", "DANA")[n], debit=False)
        reconcile(session, day=PAID, actor="tester")
    with unit_of_work(engine) as session:
        ids = [claim.claim_id for claim in recovery.recoveries(session, day=PAID)]
    quoted = [*ids, "REC-NOSUCHCLAIM"]
    delivered: list[tuple[str, int, dt.date]] = []
    for number, (lines, camt, twice) in enumerate(statements):
        rows = [
            (
                PAID + dt.timedelta(days=days),
                f"BNI-{number}-{k}",
                "REPAYMENT",
                amount,
                "CREDIT",
                quoted[which],
            )
            for k, (which, amount, days) in enumerate(lines)
        ]
        write = statement_xml if camt else statement_csv
        path = write(folder / f"bank-{number}.{'xml' if camt else 'csv'}", *rows)
        for _ in range(2 if twice else 1):
            import_files(engine, BankStatementLoader(), [path])
        delivered.extend((row[5], row[3], row[0]) for row in rows)
    day = PAID + dt.timedelta(days=checked)
    with unit_of_work(engine) as session:
        reconcile(session, day=END, actor="tester")
    with unit_of_work(engine) as session:
        for claim in recovery.recoveries(session, day=day):
            mine = sum(
                amount for who, amount, on in delivered if who == claim.claim_id and on <= day
            )
            assert claim.repaid_idr == mine
            status = (
                "REPAID"
                if mine >= claim.amount_idr
                else "OVERDUE"
                if day > claim.due_on
                else "OPEN"
            )
            assert claim.status == status
        for claim in recovery.recoveries(session, day=END):
            assert balance(session, account_name=f"RECOVERY_RECEIVABLE:{claim.claim_id}") == (
                claim.amount_idr - claim.repaid_idr
            )
        assert sum(balances_by_kind(session).values()) == 0
        _gap, proof = day_position(session, day=END)
        unknown = sum(amount for who, amount, _on in delivered if who not in ids)
        assert proof.repayments.unknown_idr == unknown
        assert proof.books.repaid_idr == sum(amount for _who, amount, _on in delivered)
        assert proof.difference_idr == 0
