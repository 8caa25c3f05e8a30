"""The escrow proof explains every repayment, including one that names no claim."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from prakerja.reconciliation.service import day_position, reconcile
from prakerja.recovery import service as recovery
from tests.recovery.conftest import statement_csv
from tests.recovery.test_claims import PAID, ineligible

D = dt.date
DAY = D(2020, 6, 1)


def test_a_repayment_naming_no_claim_is_never_credited_and_is_shown_in_the_proof(
    world, session, cli, tmp_path, export
):
    ineligible(world, debit=False)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    (claim,) = recovery.recoveries(session, day=PAID)
    bank = statement_csv(
        tmp_path / "bank.csv",
        (DAY, "BNI-F1", "KEMENKEU", 5_000_000, "CREDIT", ""),
        (DAY, "BNI-R1", "REPAYMENT", 200_000, "CREDIT", claim.claim_id),
        (DAY, "BNI-R2", "REPAYMENT", 75_000, "CREDIT", "REC-0000NOSUCHCLAIM"),
        (DAY, "BNI-R3", "REPAYMENT", 5_000, "CREDIT", ""),
    )
    assert cli("import", "bank-statement", bank).exit_code == 0
    result = cli("reconcile", "--date", DAY.isoformat())
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    escrow = next(line for line in lines if line.startswith("escrow "))
    assert "books: funded Rp 5.000.000 + repaid Rp 280.000 - paid Rp 0" in escrow
    assert escrow.endswith("difference Rp 0")
    repaid = next(line for line in lines if line.startswith("repayments "))
    assert repaid == (
        f"repayments {DAY}: Rp 280.000 received, Rp 200.000 credited to claims, "
        "Rp 80.000 naming no claim: BNI-R2 (Rp 75.000, quoting REC-0000NOSUCHCLAIM), "
        "BNI-R3 (Rp 5.000, quoting nothing)"
    )
    assert [row["repaid_idr"] for row in export(DAY)] == ["200000"]
    _gap, proof = day_position(session, day=DAY)
    assert (proof.difference_idr, proof.books.repaid_idr) == (0, 280_000)
    assert [(u.bank_ref, u.amount_idr) for u in proof.repayments.unknown] == [
        ("BNI-R2", 75_000),
        ("BNI-R3", 5_000),
    ]
    done = cli("export", "statement", "--date", DAY.isoformat(), "--out", tmp_path / "st")
    assert done.exit_code == 0, done.stderr
    book = load_workbook(tmp_path / "st" / f"reconciliation-statement-{DAY}.xlsx", read_only=True)
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row[0]]
    shown = {row[0]: row[3] for row in summary if isinstance(row[0], str) and row[3] is not None}
    assert shown["credited to recovery claims"] == 200_000
    assert shown["naming no claim: BNI-R2"] == 75_000
    assert shown["naming no claim, in all"] == 80_000


def test_repayments_before_their_claim_opens_name_no_claim_until_it_does(
    world, session, cli, tmp_path
):
    """A claim id quoted on a statement dated before the claim opened counts from its opening."""
    ineligible(world)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    (claim,) = recovery.recoveries(session, day=PAID)
    early = statement_csv(
        tmp_path / "early.csv",
        (PAID - dt.timedelta(days=1), "BNI-E1", "REPAYMENT", 10_000, "CREDIT", claim.claim_id),
    )
    assert cli("import", "bank-statement", early).exit_code == 0
    before = recovery.repayments_in_escrow(session, day=PAID - dt.timedelta(days=1))
    after = recovery.repayments_in_escrow(session, day=PAID)
    assert (before.unknown_idr, before.to_claims_idr) == (10_000, 0)
    assert (after.unknown_idr, after.to_claims_idr) == (0, 10_000)
