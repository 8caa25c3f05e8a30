"""The training balance is a sequential ledger: purchases and refunds judged in `occurred_at` order.

Every card here holds 1,000,000; course C-0001 costs 750,000, C-0002 500,000, C-0003 300,000.
"""

from sqlalchemy import select

from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import balance
from prakerja.registry.models import Card
from prakerja.transactions.models import PlatformEvent, Voucher
from tests.builders import event


def _balance(session, card):
    session.expire_all()
    return session.get(Card, card).balance_idr


def _states(session, *vouchers):
    session.expire_all()
    rows = session.execute(
        select(PlatformEvent.voucher_code, PlatformEvent.event_type, PlatformEvent.state).where(
            PlatformEvent.voucher_code.in_(vouchers)
        )
    )
    return {(voucher, kind): state for voucher, kind, state in rows}


def _at(day):
    return f"2020-04-{day}T10:00:00+07:00"


def _half(card, voucher, day):
    """A purchase of C-0002 (500,000)."""
    return event("PURCHASE", card, voucher, course_code="C-0002", amount_idr="500000", at=_at(day))


def test_a_refund_funds_a_later_purchase_of_the_same_file(program, session):
    card = program.cards[0]
    rows = [
        event("PURCHASE", card, "A0", at=_at(20)),
        event("REFUND", card, "A0", at=_at(21)),
        event("PURCHASE", card, "B0", at=_at(22)),
    ]
    assert program.events(rows) == {"loaded": 3, "duplicates": 0, "rejected": 0, "pending": 0}
    assert _balance(session, card) == 250_000
    assert (
        balance(session, account_name=f"{account(AccountKind.TRAINING_BALANCE)}:{card}") == 250_000
    )


def test_a_refund_does_not_fund_a_purchase_dated_before_it(program, session):
    card = program.cards[0]
    program.events([event("PURCHASE", card, "A0", at=_at(20))])
    rows = [
        event("PURCHASE", card, "B0", at=_at(22)),
        event("REFUND", card, "A0", at=_at(25)),
        event("PURCHASE", card, "C0", at=_at(26)),
    ]
    assert program.events(rows) == {"loaded": 2, "duplicates": 0, "rejected": 1, "pending": 0}
    [reject] = program.rejects()
    assert (reject["voucher_code"], reject["column"], reject["reason"]) == (
        "B0",
        "amount_idr",
        "not enough training balance (remaining 250000)",
    )
    assert _balance(session, card) == 250_000


def test_a_late_purchase_may_not_overdraw_purchases_applied_after_it(program, session):
    card = program.cards[0]
    program.events([event("PURCHASE", card, "A0", at=_at(25))])
    late = [_half(card, "B0", 20), _half(card, "B1", 21)]
    assert program.events(late)["rejected"] == 2
    assert {r["reason"] for r in program.rejects()} == {
        "not enough training balance (remaining 250000)"
    }
    fits = [
        event("PURCHASE", card, "C0", course_code="C-0003", amount_idr="200000", at=_at(20)),
        event("PURCHASE", card, "C1", course_code="C-0003", amount_idr="100000", at=_at(21)),
    ]
    assert program.events(fits)["loaded"] == 1
    assert [r["voucher_code"] for r in program.rejects()] == ["C1"]
    assert _balance(session, card) == 50_000


def test_a_late_purchase_sees_the_balance_of_its_own_instant(program, session):
    card = program.cards[0]
    program.events(
        [event("PURCHASE", card, "A0", at=_at(20)), event("REFUND", card, "A0", at=_at(25))]
    )
    assert _balance(session, card) == 1_000_000
    assert program.events([_half(card, "B0", 22)])["rejected"] == 1
    assert program.rejects()[0]["reason"] == "not enough training balance (remaining 250000)"
    assert program.events([_half(card, "B1", 26)])["loaded"] == 1
    assert _balance(session, card) == 500_000


def test_a_purchase_refunded_before_a_later_applied_one_leaves_it_covered(program, session):
    card = program.cards[0]
    program.events([event("PURCHASE", card, "A0", at=_at(25))])
    rows = [
        event("PURCHASE", card, "B0", at=_at(20)),
        _half(card, "C0", 21),
        event("REFUND", card, "B0", at=_at(22)),
    ]
    assert program.events(rows) == {"loaded": 2, "duplicates": 0, "rejected": 1, "pending": 0}
    assert [(r["voucher_code"], r["reason"]) for r in program.rejects()] == [
        ("C0", "not enough training balance (remaining 250000)")
    ]
    assert _balance(session, card) == 250_000
    assert _states(session, "B0") == {("B0", "PURCHASE"): "APPLIED", ("B0", "REFUND"): "APPLIED"}


def test_a_waiting_refund_credits_the_balance_at_its_own_instant(program, session):
    card = program.cards[0]
    waiting = program.events([event("REFUND", card, "A0", at=_at(21))])
    assert waiting == {"loaded": 0, "duplicates": 0, "rejected": 0, "pending": 1}
    assert _states(session, "A0") == {("A0", "REFUND"): "PENDING"}
    rows = [event("PURCHASE", card, "A0", at=_at(20)), event("PURCHASE", card, "B0", at=_at(22))]
    assert program.events(rows) == {"loaded": 2, "duplicates": 0, "rejected": 0, "pending": 0}
    assert _states(session, "A0") == {("A0", "REFUND"): "APPLIED", ("A0", "PURCHASE"): "APPLIED"}
    session.expire_all()
    assert str(session.get(Voucher, "A0").refunded_on) == "2020-04-21"
    assert _balance(session, card) == 250_000


def test_the_refund_of_a_refused_purchase_gives_nothing_back(program, session):
    card = program.cards[0]
    rows = [
        event("PURCHASE", card, "A0", at=_at(20)),
        _half(card, "B0", 21),
        event("REFUND", card, "B0", course_code="C-0002", amount_idr="500000", at=_at(22)),
        _half(card, "C0", 23),
    ]
    assert program.events(rows) == {"loaded": 1, "duplicates": 0, "rejected": 3, "pending": 0}
    assert [(r["voucher_code"], r["reason"]) for r in program.rejects()] == [
        ("B0", "not enough training balance (remaining 250000)"),
        ("B0", "the voucher's purchase was refused"),
        ("C0", "not enough training balance (remaining 250000)"),
    ]
    assert _balance(session, card) == 250_000


def test_at_the_same_instant_a_purchase_comes_before_a_refund_whatever_the_row_order(
    program, session
):
    first, second = program.cards[0], program.cards[1]
    program.events(
        [
            event("PURCHASE", first, "A1", at=_at(20)),
            event("REFUND", first, "A1", at=_at(21)),
            event("PURCHASE", first, "B1", at=_at(21)),
            event("PURCHASE", second, "A2", at=_at(20)),
            event("PURCHASE", second, "B2", at=_at(21)),
            event("REFUND", second, "A2", at=_at(21)),
        ]
    )
    assert [r["voucher_code"] for r in program.rejects()] == ["B1", "B2"]
    assert _balance(session, first) == _balance(session, second) == 1_000_000


def test_an_event_dated_before_the_refund_still_applies(program, session):
    card = program.cards[0]
    rows = [
        event("PURCHASE", card, "S1", course_code="C-0002", amount_idr="500000", at=_at(20)),
        event("REFUND", card, "S1", course_code="C-0002", amount_idr="500000", at=_at(25)),
        event("COMPLETION", card, "S1", course_code="C-0002", at=_at(24)),
        event("REVIEW", card, "S1", course_code="C-0002", at=_at(26)),
    ]
    assert program.events(rows) == {"loaded": 3, "duplicates": 0, "rejected": 1, "pending": 0}
    assert [(r["event_type"], r["reason"]) for r in program.rejects()] == [
        ("REVIEW", "the voucher is refunded")
    ]
    session.expire_all()
    voucher = session.get(Voucher, "S1")
    assert str(voucher.completed_on) == "2020-04-24" and str(voucher.refunded_on) == "2020-04-25"
    assert voucher.reviewed_at is None


def test_an_event_dated_before_an_earlier_files_refund_still_applies(program, session):
    card = program.cards[0]
    program.events(
        [
            event("PURCHASE", card, "V1", at=_at(20)),
            event("REFUND", card, "V1", at=_at(25)),
        ]
    )
    rows = [
        event("ATTENDANCE", card, "V1", sequence="1", at=_at(21)),
        event("ATTENDANCE", card, "V1", sequence="2", at=_at(25)),
    ]
    assert program.events(rows) == {"loaded": 1, "duplicates": 0, "rejected": 1, "pending": 0}
    assert program.rejects()[0]["sequence"] == "2"
    assert program.rejects()[0]["reason"] == "the voucher is refunded"
