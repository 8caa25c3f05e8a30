"""`prakerja payouts run` and `payouts cancel`, driven as an operator would."""

import datetime as dt

from sqlalchemy import select

from prakerja.payouts.books import prove_books
from prakerja.payouts.models import Entitlement, Instruction
from tests.builders import read_csv, summary
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

DAY = dt.date(2020, 4, 22)


def _setup(session, tmp_path, cli, cards=1, partner="OVO"):
    numbers = []
    for _ in range(cards):
        card = make_card(session)
        make_training(session, card)
        numbers.append(card)
    session.commit()
    accounts = write_accounts(
        tmp_path / "accounts.csv", [account_row(card, partner=partner) for card in numbers]
    )
    assert summary(cli("import", "payout-accounts", accounts).stdout)["loaded"] == cards
    return numbers


def test_run_instructs_the_first_tranche_once(cli, session, tmp_path):
    [card] = _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    result = cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out / f"instructions-OVO-{DAY}.csv")
    assert rows == [
        {
            "instruction_id": f"INS-{card}-PT-01-01",
            "batch_id": f"B-OVO-{DAY}-01",
            "card_number": card,
            "beneficiary_name": "PESERTA",
            "partner_code": "OVO",
            "account_id": f"08{card[-10:]}",
            "amount_idr": "600000",
            "incentive_kind": "POST_TRAINING",
            "tranche": "1",
            "attempt": "1",
            "created_at": DAY.isoformat(),
        }
    ]
    again = cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    assert again.exit_code == 0, again.stderr
    assert read_csv(out / f"instructions-OVO-{DAY}.csv") == rows
    assert len(session.scalars(select(Instruction)).all()) == 1
    assert prove_books(session).balanced


def test_success_pays_and_later_tranches_fall_due(cli, session, tmp_path):
    [card] = _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    [row] = read_csv(out / f"instructions-OVO-{DAY}.csv")
    results = write_results(tmp_path / "r.csv", [result_row(row)])
    assert summary(cli("import", "partner-results", results).stdout)["loaded"] == 1
    session.expire_all()
    paid = session.scalars(select(Entitlement)).one()
    assert paid.paid_on == DAY
    later = DAY + dt.timedelta(days=31)
    cli("payouts", "run", "--date", later.isoformat(), "--out", out)
    rows = read_csv(out / f"instructions-OVO-{later}.csv")
    assert [r["instruction_id"] for r in rows] == [f"INS-{card}-PT-02-01"]
    assert prove_books(session).balanced
