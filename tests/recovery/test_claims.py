"""A recovery claim for every INELIGIBLE_PAYMENT break, opened by `reconcile`, repaid from escrow."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select

from prakerja.ledger.models import LedgerEntry
from prakerja.ledger.service import balance, balances_by_kind
from prakerja.reconciliation.models import Break
from prakerja.reconciliation.service import reconcile
from prakerja.recovery import service as recovery
from prakerja.recovery.models import RecoveryClaim
from tests.reconciliation.factories import AMOUNT, World
from tests.recovery.conftest import statement_csv, statement_xml

D = dt.date
SENT = D(2020, 5, 4)
PAID = D(2020, 5, 5)


def ineligible(
    world: World, *, amount: int = AMOUNT, partner: str = "OVO", debit: bool = True
) -> tuple[str, str]:
    """A card barred before its payment, paid `amount`: return (card, partner txn id).

    The factories post no ledger entry: without the batch's `debit`, the bank and the
    books both hold only what the imported statements bring.
    """
    card = world.card()
    batch = world.batch(day=SENT, partner=partner)
    instruction = world.instruction(card, batch=batch, day=SENT)
    if debit:
        world.debit_batch(batch, day=SENT)
    world.exclusion(card, list_code="CIVIL_SERVANT", effective_from=D(2020, 5, 1))
    txn = world.result(instruction, day=PAID, amount=amount)
    return card, txn


def returned_to_fund(session) -> int:
    """What the ledger moved from recovery receivables to the program fund."""
    moved = session.scalars(
        select(LedgerEntry.amount_idr).where(
            LedgerEntry.debit_account == "PROGRAM_FUND",
            LedgerEntry.credit_account.like("RECOVERY_RECEIVABLE:%"),
        )
    )
    return sum(moved)


def stored_claims(session) -> list[tuple]:
    session.expire_all()
    return [
        (c.claim_id, c.break_id, c.card_number, c.nik, c.amount_idr, c.opened_on, c.due_on)
        for c in session.scalars(select(RecoveryClaim).order_by(RecoveryClaim.claim_id))
    ]


def test_each_ineligible_payment_break_opens_one_claim_for_what_the_payment_credited(
    world, session
):
    card, txn = ineligible(world, amount=550_000)
    clean = world.card()
    batch = world.batch(day=SENT, partner="DANA")
    world.result(world.instruction(clean, batch=batch, day=SENT), day=PAID)
    reconcile(session, day=PAID, actor="tester")
    found = session.scalars(select(Break).where(Break.break_type == "INELIGIBLE_PAYMENT")).one()
    ((claim_id, break_id, claimed_card, nik, amount, opened, due),) = stored_claims(session)
    assert break_id == found.break_id and found.partner_txn_id == txn
    assert claim_id == "REC-" + found.break_id.removeprefix("BRK-") and len(claim_id) <= 35
    assert (claimed_card, nik, amount) == (card, world.nik_of(card), 550_000)
    assert (opened, due) == (PAID, D(2020, 7, 4))
    assert balance(session, account_name=f"RECOVERY_RECEIVABLE:{claim_id}") == 550_000
    reconcile(session, day=PAID + dt.timedelta(days=1), actor="tester")
    assert len(stored_claims(session)) == 1
    assert balance(session, account_name=f"RECOVERY_RECEIVABLE:{claim_id}") == 550_000


def test_a_claim_opens_on_the_day_the_break_is_detected(world, session):
    card = world.card()
    batch = world.batch(day=SENT)
    world.result(world.instruction(card, batch=batch, day=SENT), day=PAID)
    reconcile(session, day=PAID, actor="tester")
    assert stored_claims(session) == []
    world.exclusion(card, list_code="STUDENT", effective_from=D(2020, 5, 1))
    reconcile(session, day=D(2020, 6, 3), actor="tester")
    ((_id, _break, _card, _nik, _amount, opened, due),) = stored_claims(session)
    assert (opened, due) == (D(2020, 6, 3), D(2020, 8, 2))


def test_part_payments_across_csv_and_camt053_statements_add_up(
    world, session, cli, export, tmp_path
):
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    (claim,) = recovery.recoveries(session, day=PAID)
    first = statement_csv(
        tmp_path / "bank-1.csv",
        (D(2020, 6, 1), "BNI-R1", "REPAYMENT", 200_000, "CREDIT", claim.claim_id),
    )
    second = statement_xml(
        tmp_path / "bank-2.xml",
        (D(2020, 6, 10), "BNI-R2", "REPAYMENT", 150_000, "CREDIT", claim.claim_id.lower()),
    )
    assert cli("import", "bank-statement", first).exit_code == 0
    assert cli("import", "bank-statement", second).exit_code == 0
    assert [(r["repaid_idr"], r["status"]) for r in export(D(2020, 6, 5))] == [("200000", "OPEN")]
    (row,) = export(D(2020, 6, 10))
    assert row == {
        "claim_id": claim.claim_id,
        "card_number": claim.card_number,
        "nik": claim.nik,
        "amount_idr": str(AMOUNT),
        "repaid_idr": "350000",
        "opened_on": "2020-05-05",
        "due_on": "2020-07-04",
        "status": "OPEN",
    }
    session.expire_all()
    assert (
        balance(session, account_name=f"RECOVERY_RECEIVABLE:{claim.claim_id}") == AMOUNT - 350_000
    )
    kinds = session.scalars(select(Break.break_type)).all()
    assert kinds == ["INELIGIBLE_PAYMENT"]  # repayments raise no break of their own


def test_an_over_payment_is_kept_and_the_claim_is_repaid(world, session, cli, export, tmp_path):
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    (claim,) = recovery.recoveries(session, day=PAID)
    bank = statement_csv(
        tmp_path / "bank.csv",
        (D(2020, 6, 1), "BNI-R1", "REPAYMENT", AMOUNT, "CREDIT", claim.claim_id),
        (D(2020, 6, 2), "BNI-R2", "REPAYMENT", 100_000, "CREDIT", claim.claim_id),
    )
    assert cli("import", "bank-statement", bank).exit_code == 0
    (row,) = export(D(2020, 6, 2))
    assert (row["repaid_idr"], row["status"]) == (str(AMOUNT + 100_000), "REPAID")
    (shown,) = recovery.claims_for_card(session, card_number=claim.card_number, as_of=D(2020, 6, 2))
    assert (shown.outstanding_idr, shown.excess_idr) == (0, 100_000)
    session.expire_all()
    assert balance(session, account_name=f"RECOVERY_RECEIVABLE:{claim.claim_id}") == -100_000
    assert returned_to_fund(session) == AMOUNT + 100_000


def test_a_claim_not_repaid_becomes_overdue_after_its_due_day(
    world, session, cli, export, tmp_path
):
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    assert export(D(2020, 7, 4))[0]["status"] == "OPEN"
    assert export(D(2020, 7, 5))[0]["status"] == "OVERDUE"
    (claim,) = recovery.claims(
        session, as_of=D(2020, 7, 5), status=recovery.ClaimStatus.OVERDUE
    ).claims
    assert (claim.days_left, claim.age_days) == (-1, 61)
    late = statement_csv(
        tmp_path / "late.csv",
        (D(2020, 7, 20), "BNI-R9", "REPAYMENT", AMOUNT, "CREDIT", claim.claim_id),
    )
    assert cli("import", "bank-statement", late).exit_code == 0
    assert export(D(2020, 7, 19))[0]["status"] == "OVERDUE"
    assert export(D(2020, 7, 20))[0]["status"] == "REPAID"


def test_a_claim_opened_after_the_export_day_is_not_exported(world, session, export):
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    assert export(PAID - dt.timedelta(days=1)) == []


def test_reimporting_a_statement_changes_nothing(world, session, cli, export, tmp_path):
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    (claim,) = recovery.recoveries(session, day=PAID)
    bank = statement_csv(
        tmp_path / "bank.csv",
        (D(2020, 6, 1), "BNI-R1", "REPAYMENT", 250_000, "CREDIT", claim.claim_id),
    )
    assert cli("import", "bank-statement", bank).exit_code == 0
    assert export(D(2020, 6, 1))[0]["repaid_idr"] == "250000"
    assert cli("import", "bank-statement", bank).exit_code == 0
    assert export(D(2020, 6, 2))[0]["repaid_idr"] == "250000"
    session.expire_all()
    assert (
        balance(session, account_name=f"RECOVERY_RECEIVABLE:{claim.claim_id}") == AMOUNT - 250_000
    )


def test_a_rebuild_gives_the_same_claims(world, session, cli, tmp_path):
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    ineligible(world, amount=300_000, partner="DANA")
    reconcile(session, day=D(2020, 5, 9), actor="tester")
    session.commit()
    before = stored_claims(session)
    assert sorted(row[5] for row in before) == [PAID, D(2020, 5, 9)]
    result = cli("reconcile", "--date", "2020-05-09", "--rebuild")
    assert result.exit_code == 0, result.stderr
    assert stored_claims(session) == before
    session.query(RecoveryClaim).delete()
    session.commit()
    assert cli("reconcile", "--date", "2020-05-09", "--rebuild").exit_code == 0
    assert stored_claims(session) == before


def test_the_books_balance_with_claims_and_repayments(world, session, cli, tmp_path):
    ineligible(world)
    ineligible(world, amount=400_000, partner="DANA")
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    first, second = recovery.recoveries(session, day=PAID)
    bank = statement_csv(
        tmp_path / "bank.csv",
        (D(2020, 6, 1), "BNI-R1", "REPAYMENT", 100_000, "CREDIT", first.claim_id),
        (D(2020, 6, 1), "BNI-R2", "REPAYMENT", 500_000, "CREDIT", second.claim_id),
        (D(2020, 6, 1), "BNI-R3", "REPAYMENT", 70_000, "CREDIT", "REC-NOSUCHCLAIM"),
    )
    assert cli("import", "bank-statement", bank).exit_code == 0
    assert cli("reconcile", "--date", "2020-06-01").exit_code == 0
    session.expire_all()
    kinds = balances_by_kind(session)
    assert sum(kinds.values()) == 0
    claimed = first.amount_idr + second.amount_idr
    assert kinds["RECOVERY_CLAIMED"] == -claimed
    assert kinds["RECOVERY_RECEIVABLE"] == claimed - 600_000
    assert returned_to_fund(session) == 600_000
    assert kinds["ESCROW"] == 670_000


def test_a_payment_broken_twice_is_claimed_once_from_its_earliest_break(world, session):
    card = world.card()

    def breaks(*found: tuple[str, dt.date]) -> pa.Table:
        return pa.Table.from_pylist(
            [
                {
                    "break_id": break_id,
                    "detected_on": day,
                    "partner_code": "OVO",
                    "partner_txn_id": "TX-1",
                    "instruction_id": f"INS-{card}-PT-01-01",
                    "card_number": card,
                    "reported_amount_idr": AMOUNT,
                }
                for break_id, day in found
            ],
            schema=recovery.INELIGIBLE_BREAKS,
        )

    later, earlier = ("BRK-BBBBBBBBBBBBBBBB", D(2020, 6, 1)), ("BRK-AAAAAAAAAAAAAAAA", PAID)
    assert (
        recovery.open_claims(session, breaks=breaks(later, earlier), day=D(2020, 6, 1), actor="t")
        == 1
    )
    again = ("BRK-CCCCCCCCCCCCCCCC", D(2020, 7, 1))
    assert recovery.open_claims(session, breaks=breaks(again), day=D(2020, 7, 1), actor="t") == 0
    ((claim_id, break_id, *_rest, opened, due),) = stored_claims(session)
    assert (claim_id, break_id, opened, due) == (
        "REC-AAAAAAAAAAAAAAAA",
        "BRK-AAAAAAAAAAAAAAAA",
        PAID,
        D(2020, 7, 4),
    )
