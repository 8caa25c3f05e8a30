"""The ledger's daily totals are what the entries sum to, whatever path wrote the entries.

Random postings through both writers (`post_movements`, and an
`INSERT ... SELECT ... ON CONFLICT DO NOTHING` after `LEDGER_INSERT` as the
set-based steps write), with re-posted idempotency keys, back-dated days and
accounts of every sort: after each step the totals table equals a GROUP BY
over the entries computed here in Python, and the balances and the escrow
books read from the totals equal the same summed from the raw movements.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Engine, bindparam, select, text
from sqlalchemy.orm import Session

from prakerja.kit.clock import utc_now
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.models import LedgerDayTotal, LedgerEntry
from prakerja.ledger.service import (
    LEDGER_INSERT,
    account_balance_on,
    balance,
    balances_by_kind,
    kind_balances_on,
    post_movements,
)
from prakerja.ledger.totals import bucket
from prakerja.payouts.codes import REPAYMENT
from prakerja.reconciliation.sources import escrow_books
from prakerja.storage.base import UtcDateTime
from prakerja.storage.db import unit_of_work
from tests.conftest import empty_all_tables

FIRST = dt.date(2020, 4, 11)
ACCOUNTS = [
    account(AccountKind.PROGRAM_FUND),
    account(AccountKind.ESCROW),
    account(AccountKind.PAID_OUT),
    account(AccountKind.INCENTIVE_PAYABLE),
    account(AccountKind.ESCROW_FUNDING, "KEMENKEU"),
    account(AccountKind.ESCROW_FUNDING, REPAYMENT),
    account(AccountKind.PARTNER_SETTLEMENT, "BNI"),
    account(AccountKind.PARTNER_SETTLEMENT, "OVO"),
    account(AccountKind.PARTNER_FUNDS, "BNI"),
    account(AccountKind.ESCROW_WRITTEN_OFF, "DANA"),
    account(AccountKind.PLATFORM_PAYABLE, "TOKOPEDIA"),
    account(AccountKind.TRAINING_BALANCE, "5200000000000001"),
    account(AccountKind.TRAINING_BALANCE, "5200000000000002"),
    account(AccountKind.RECOVERY_RECEIVABLE, "REC-1"),
    account(AccountKind.RECOVERY_RECEIVABLE, "REC-2"),
]
Movement = tuple[str, str, str, int, dt.date]
"""Idempotency key, debit account, credit account, amount, effective day."""


@st.composite
def movement(draw: st.DrawFn) -> Movement:
    """One movement; keys come from a small pool so that some are posted again."""
    debit, credit = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=2, max_size=2, unique=True))
    key = f"K{draw(st.integers(0, 40))}"
    day = FIRST + dt.timedelta(days=draw(st.integers(0, 12)))
    return key, debit, credit, draw(st.integers(1, 5_000_000_000)), day


#: One statement's worth of movements, and which writer posts them.
step = st.tuples(
    st.sampled_from(["post_movements", "insert_select"]),
    st.lists(movement(), min_size=1, max_size=8),
)


def post(session: Session, movements: Sequence[Movement]) -> int:
    """Post through `ledger.service.post_movements` (storage.bulk: COPY or INSERT OR IGNORE)."""
    keys, debits, credits, amounts, days = (list(column) for column in zip(*movements, strict=True))
    return post_movements(
        session,
        keys=pa.array(keys),
        kind="TEST",
        debit=pa.array(debits),
        credit=pa.array(credits),
        amounts=pa.array(amounts, pa.int64()),
        day=pa.array(days, pa.date32()),
        references=pa.array(keys),
    )


def insert_select(session: Session, movements: Sequence[Movement]) -> int:
    """Post as the set-based steps do: `LEDGER_INSERT` + `SELECT ... ON CONFLICT DO NOTHING`."""
    rows = " UNION ALL ".join(
        f"SELECT :k{n} AS k, 'TEST' AS kind, :d{n} AS d, :c{n} AS c, :a{n} AS a, "
        f":e{n} AS e, :k{n} AS r, :now AS t"
        for n in range(len(movements))
    )
    params: dict[str, object] = {"now": utc_now()}
    for n, (key, debit, credit, amount, day) in enumerate(movements):
        params.update({f"k{n}": key, f"d{n}": debit, f"c{n}": credit, f"a{n}": amount})
        params[f"e{n}"] = day
    statement = LEDGER_INSERT + (
        f"SELECT k, kind, d, c, a, e, r, t FROM ({rows}) AS m WHERE true "
        "ON CONFLICT (idempotency_key) DO NOTHING"
    )
    typed = [bindparam(f"e{n}", type_=Date) for n in range(len(movements))]
    query = text(statement).bindparams(bindparam("now", type_=UtcDateTime), *typed)
    return int(session.execute(query, params).rowcount)  # type: ignore[attr-defined]


def stored_totals(session: Session) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """Return the totals table, less rows that are all zero."""
    rows = session.execute(
        select(
            LedgerDayTotal.account,
            LedgerDayTotal.effective_on,
            LedgerDayTotal.debit_idr,
            LedgerDayTotal.credit_idr,
        )
    )
    return {(a, d): (int(dr), int(cr)) for a, d, dr, cr in rows if (dr, cr) != (0, 0)}


def expected_totals(ledger: dict[str, Movement]) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """Return what the totals must hold: a GROUP BY of the movements by bucket and day."""
    sums: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for _, debit, credit, amount, day in ledger.values():
        sums[(bucket(debit), day)][0] += amount
        sums[(bucket(credit), day)][1] += amount
    return {key: (dr, cr) for key, (dr, cr) in sums.items()}


def raw_balance(ledger: dict[str, Movement], name: str, as_of: dt.date | None) -> int:
    """Return an account's balance summed from the movements themselves."""
    total = 0
    for _, debit, credit, amount, day in ledger.values():
        if as_of is None or day <= as_of:
            total += amount * ((debit == name) - (credit == name))
    return total


def raw_kind(ledger: dict[str, Movement], kind: AccountKind, as_of: dt.date | None) -> int:
    """Return a kind's balance summed from the movements themselves."""
    names = {n for m in ledger.values() for n in m[1:3] if n.split(":", 1)[0] == kind.value}
    return sum(raw_balance(ledger, name, as_of) for name in names)


def check(session: Session, ledger: dict[str, Movement], days: Sequence[dt.date]) -> None:
    """Assert the totals, the balances and the escrow books against the movements."""
    entries = {
        e.idempotency_key: (e.idempotency_key, e.debit_account, e.credit_account, e.amount_idr)
        for e in session.scalars(select(LedgerEntry))
    }
    assert entries == {k: m[:4] for k, m in ledger.items()}
    assert stored_totals(session) == expected_totals(ledger)
    kinds = list(AccountKind)
    assert {k: v for k, v in balances_by_kind(session).items() if v} == {
        kind.value: raw_kind(ledger, kind, None) for kind in kinds if raw_kind(ledger, kind, None)
    }
    for name in ACCOUNTS:
        assert balance(session, account_name=name) == raw_balance(ledger, name, None)
    for day in days:
        assert kind_balances_on(session, kinds=kinds, as_of=day) == {
            kind: raw_kind(ledger, kind, day) for kind in kinds
        }
        for name in ACCOUNTS:
            assert account_balance_on(session, account_name=name, as_of=day) == raw_balance(
                ledger, name, day
            )
        books = escrow_books(session, day=day)
        repaid = -raw_balance(ledger, account(AccountKind.ESCROW_FUNDING, REPAYMENT), day)
        assert books.repaid_idr == repaid
        assert books.funded_idr == -raw_kind(ledger, AccountKind.ESCROW_FUNDING, day) - repaid
        assert books.paid_idr == raw_kind(ledger, AccountKind.PAID_OUT, day)
        assert books.in_flight_idr == raw_kind(ledger, AccountKind.PARTNER_SETTLEMENT, day)
        assert books.written_off_idr == raw_kind(ledger, AccountKind.ESCROW_WRITTEN_OFF, day)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(step, min_size=1, max_size=6),
    days=st.lists(st.integers(-1, 13), min_size=1, max_size=3),
)
def test_totals_equal_the_entries_after_every_posting(
    engine: Engine, steps: list[tuple[str, list[Movement]]], days: list[int]
) -> None:
    empty_all_tables(engine)
    ledger: dict[str, Movement] = {}
    as_of = [FIRST + dt.timedelta(days=n) for n in days]
    for writer, movements in steps:
        with unit_of_work(engine) as session:
            new = (post if writer == "post_movements" else insert_select)(session, movements)
        fresh = 0
        for m in movements:
            if m[0] not in ledger:
                ledger[m[0]] = m
                fresh += 1
        assert new == fresh
        with unit_of_work(engine) as session:
            check(session, ledger, as_of)


def test_a_rolled_back_posting_leaves_no_totals(engine: Engine) -> None:
    movements = [("K1", ACCOUNTS[0], ACCOUNTS[1], 100, FIRST)]
    with unit_of_work(engine) as session:
        post(session, movements)
        session.rollback()
    with unit_of_work(engine) as session:
        assert stored_totals(session) == {}


def test_skipped_duplicates_change_no_totals(engine: Engine) -> None:
    first = [("K1", ACCOUNTS[0], ACCOUNTS[1], 100, FIRST)]
    again = [("K1", ACCOUNTS[0], ACCOUNTS[1], 999, FIRST + dt.timedelta(days=1))]
    with unit_of_work(engine) as session:
        assert post(session, first) == 1
    for writer in (post, insert_select):
        with unit_of_work(engine) as session:
            assert writer(session, again) == 0
    with unit_of_work(engine) as session:
        assert stored_totals(session) == {
            (ACCOUNTS[0], FIRST): (100, 0),
            (ACCOUNTS[1], FIRST): (0, 100),
        }


def test_per_party_accounts_are_summed_into_their_kind(engine: Engine) -> None:
    cards = [account(AccountKind.TRAINING_BALANCE, f"52000000000000{n:02d}") for n in range(20)]
    fund = account(AccountKind.PROGRAM_FUND)
    with unit_of_work(engine) as session:
        post(session, [(f"F{n}", card, fund, 1_000_000, FIRST) for n, card in enumerate(cards)])
    with unit_of_work(engine) as session:
        assert stored_totals(session) == {
            ("TRAINING_BALANCE:*", FIRST): (20_000_000, 0),
            (fund, FIRST): (0, 20_000_000),
        }
        assert balance(session, account_name=cards[3]) == 1_000_000


def test_updates_and_deletes_of_entries_are_taken_out_again(engine: Engine) -> None:
    fund, escrow = account(AccountKind.PROGRAM_FUND), account(AccountKind.ESCROW)
    with unit_of_work(engine) as session:
        post(session, [("K1", escrow, fund, 100, FIRST), ("K2", escrow, fund, 50, FIRST)])
    with unit_of_work(engine) as session:
        later = FIRST + dt.timedelta(days=1)
        move = "UPDATE ledger_entries SET amount_idr = 70, effective_on = :d WHERE idempotency_key = 'K1'"
        session.execute(text(move).bindparams(bindparam("d", type_=Date)), {"d": later})
        session.execute(text("DELETE FROM ledger_entries WHERE idempotency_key = 'K2'"))
    with unit_of_work(engine) as session:
        assert stored_totals(session) == {(escrow, later): (70, 0), (fund, later): (0, 70)}
