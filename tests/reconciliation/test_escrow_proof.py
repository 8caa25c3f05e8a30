"""The escrow proof sets the bank's statement against the program's own books, not against itself.

Driven through the product: accounts linked, a payouts run, the partner's
results and the bank's statement imported, then `reconcile`.
"""

import datetime as dt

import pytest

from tests.builders import read_csv, write_csv
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

DAY = dt.date(2020, 4, 22)
BANK_COLUMNS = (
    "statement_date",
    "bank_ref",
    "counterparty_code",
    "amount_idr",
    "direction",
    "batch_id",
)
BATCH = f"B-OVO-{DAY}-01"


def _paid_day(cli, session, tmp_path):
    """Three incentives instructed in one OVO batch: two paid, one failed."""
    cards = []
    for _ in range(3):
        card = make_card(session)
        make_training(session, card)
        cards.append(card)
    session.commit()
    accounts = write_accounts(tmp_path / "accounts.csv", [account_row(card) for card in cards])
    assert cli("import", "payout-accounts", accounts).exit_code == 0
    assert cli("payouts", "run", "--date", str(DAY), "--out", tmp_path / "out").exit_code == 0
    sent = read_csv(tmp_path / "out" / f"instructions-OVO-{DAY}.csv")
    answers = [result_row(sent[0]), result_row(sent[1])]
    answers.append(result_row(sent[2], status="FAILED", failure_code="ACCOUNT_NOT_FOUND"))
    assert (
        cli("import", "partner-results", write_results(tmp_path / "r.csv", answers)).exit_code == 0
    )


def _bank(cli, tmp_path, *lines):
    rows = [
        {
            "statement_date": str(DAY),
            "bank_ref": f"BNI-{n}",
            "counterparty_code": who,
            "amount_idr": str(amount),
            "direction": direction,
            "batch_id": batch,
        }
        for n, (who, amount, direction, batch) in enumerate(lines, start=1)
    ]
    path = write_csv(tmp_path / "bank.csv", BANK_COLUMNS, rows)
    assert cli("import", "bank-statement", path).exit_code == 0


def _escrow_line(cli):
    result = cli("reconcile", "--date", str(DAY + dt.timedelta(days=2)))
    assert result.exit_code == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if line.startswith("escrow "))


FUNDING = ("KEMENKEU", 10_000_000, "CREDIT", "")
REFUND = ("OVO", 600_000, "CREDIT", BATCH)


def test_a_batch_debited_as_instructed_and_its_failure_refunded_is_proven(cli, session, tmp_path):
    _paid_day(cli, session, tmp_path)
    _bank(cli, tmp_path, FUNDING, ("OVO", 1_800_000, "DEBIT", BATCH), REFUND)
    line = _escrow_line(cli)
    assert "= closing Rp 8.800.000" in line
    assert (
        "books: funded Rp 10.000.000 - paid Rp 1.200.000 - in flight Rp 0 - written off Rp 0 = Rp 8.800.000"
        in line
    )
    assert line.endswith("difference Rp 0")


@pytest.mark.parametrize(
    ("debit", "difference"),
    [
        (("OVO", 1_806_500, "DEBIT", BATCH), "-Rp 6.500"),  # the bank took its fee too
        (None, "Rp 1.800.000"),  # the batch was never debited
    ],
)
def test_what_the_bank_did_otherwise_is_the_difference(cli, session, tmp_path, debit, difference):
    _paid_day(cli, session, tmp_path)
    _bank(cli, tmp_path, FUNDING, REFUND, *([debit] if debit else []))
    assert _escrow_line(cli).endswith(f"difference {difference}")
