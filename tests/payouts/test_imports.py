"""Importing payout accounts, partner results and bank statements through the CLI."""

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from prakerja.ledger.service import balance
from prakerja.payouts.books import prove_books
from prakerja.payouts.camt053 import COLUMNS as BANK_COLUMNS
from prakerja.payouts.models import (
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PayoutAccount,
)
from tests.builders import read_csv, summary, write_csv, write_jsonl
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "contract"
FIXTURES = Path(__file__).parent.parent / "fixtures"
DAY = dt.date(2020, 4, 22)


def _instructed(cli, session, tmp_path, partners=("OVO",)):
    rows = []
    for partner in partners:
        card = make_card(session)
        make_training(session, card)
        rows.append(account_row(card, partner=partner))
    session.commit()
    cli("import", "payout-accounts", write_accounts(tmp_path / "a.csv", rows))
    out = tmp_path / "out"
    assert cli("payouts", "run", "--date", DAY.isoformat(), "--out", out).exit_code == 0
    return [row for path in sorted(out.iterdir()) for row in read_csv(path)]


def test_payout_accounts_reject_unknown_cards_and_partners(cli, session, tmp_path):
    card = make_card(session)
    session.commit()
    rows = [
        account_row(card),
        account_row("5299999999999999"),
        account_row(card, partner="BRI", linked_at="2020-04-20T08:00:00+07:00"),
        account_row(card, linked_at="yesterday"),
        account_row(card),
    ]
    path = write_accounts(tmp_path / "a.csv", rows)
    result = cli("import", "payout-accounts", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 1, "rejected": 3, "pending": 0}
    rejects = read_csv(tmp_path / "a.csv.rejects.csv")
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("3", "card_number"),
        ("4", "partner_code"),
        ("5", "linked_at"),
    ]
    assert summary(cli("import", "payout-accounts", path).stdout)["duplicates"] == 2


def test_a_later_link_replaces_the_account_from_its_time(cli, session, tmp_path):
    card = make_card(session)
    make_training(session, card)
    session.commit()
    rows = [
        account_row(card, partner="OVO", account_id="0811", linked_at="2020-04-19T08:00:00+07:00"),
        account_row(card, partner="DANA", account_id="0822", linked_at="2020-04-25T08:00:00+07:00"),
    ]
    cli("import", "payout-accounts", write_jsonl(tmp_path / "a.jsonl", rows))
    out = tmp_path / "out"
    cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    [row] = read_csv(out / f"instructions-OVO-{DAY}.csv")
    assert row["account_id"] == "0811"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PayoutAccount)) == 2


def test_contract_sample_results_load_as_facts(cli, tmp_path):
    copy = tmp_path / "partner-results.csv"
    copy.write_bytes((SAMPLES / "partner-results.csv").read_bytes())
    result = cli("import", "partner-results", copy)
    assert summary(result.stdout) == {"loaded": 2, "duplicates": 0, "rejected": 0, "pending": 0}


def test_results_are_idempotent_and_contradictions_kept(cli, session, tmp_path):
    [row] = _instructed(cli, session, tmp_path)
    results = [
        result_row(row, txn="T1"),
        result_row(row, txn="T1"),  # re-delivered in the same file
        result_row(row, txn="T2", amount_idr="650000"),  # a second success, another amount
        result_row(row, txn="T3", instruction_id="INS-NEVER-ISSUED"),
        result_row(row, txn="T4", account_id="0899"),
    ]
    path = write_results(tmp_path / "r.csv", results)
    assert summary(cli("import", "partner-results", path).stdout) == {
        "loaded": 4,
        "duplicates": 1,
        "rejected": 0,
        "pending": 0,
    }
    assert summary(cli("import", "partner-results", path).stdout)["duplicates"] == 5
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PartnerResult)) == 4
    instruction = session.get(Instruction, row["instruction_id"])
    assert (instruction.state, instruction.result_txn_id) == ("SUCCEEDED", "T1")
    assert balance(session, account_name="PAID_OUT") == 600_000
    assert prove_books(session).balanced


def test_malformed_results_are_rejected_with_line_and_column(cli, session, tmp_path):
    [row] = _instructed(cli, session, tmp_path)
    results = [
        result_row(row, status="SUCCESS", failure_code="OTHER"),
        result_row(row, status="FAILED", failure_code=""),
        result_row(row, status="FAILED", failure_code="BROKEN"),
        result_row(row, status="DONE"),
        result_row(row, amount_idr="600000.50"),
        result_row(row, partner_code="BRI"),
        result_row(row, account_id=""),
        result_row(row, processed_at="2020-04-22 11:00"),
    ]
    path = write_results(tmp_path / "r.csv", results)
    assert summary(cli("import", "partner-results", path).stdout)["rejected"] == 8
    rejects = read_csv(tmp_path / "r.csv.rejects.csv")
    assert [r["column"] for r in rejects] == [
        "failure_code",
        "failure_code",
        "failure_code",
        "status",
        "amount_idr",
        "partner_code",
        "account_id",
        "processed_at",
    ]
    assert [r["line"] for r in rejects] == [str(n) for n in range(2, 10)]
    session.expire_all()
    assert session.get(Instruction, row["instruction_id"]).state == "OPEN"


def test_failure_then_late_success_pays_once_and_blocks_retry(cli, session, tmp_path):
    [row] = _instructed(cli, session, tmp_path)
    failed = result_row(row, status="FAILED", failure_code="OTHER", txn="F1")
    cli("import", "partner-results", write_results(tmp_path / "f.csv", [failed]))
    session.expire_all()
    assert session.get(Instruction, row["instruction_id"]).state == "FAILED"
    assert balance(session, account_name="INCENTIVE_RETURNED") == 600_000
    late = result_row(row, txn="S1", processed_at="2020-04-24T09:00:00+07:00")
    cli("import", "partner-results", write_results(tmp_path / "s.csv", [late]))
    session.expire_all()
    assert session.get(Instruction, row["instruction_id"]).state == "SUCCEEDED"
    assert session.scalars(select(Entitlement.paid_on)).one() == dt.date(2020, 4, 24)
    new_link = account_row(row["card_number"], account_id="0833", linked_at=f"{DAY}T23:00:00+07:00")
    cli("import", "payout-accounts", write_accounts(tmp_path / "a2.csv", [new_link]))
    out = tmp_path / "out2"
    cli("payouts", "run", "--date", "2020-04-25", "--out", out)
    assert not out.exists() or not list(out.iterdir())
    assert prove_books(session).balanced


def test_late_success_on_a_failed_attempt_while_a_retry_is_open(cli, session, tmp_path):
    [row] = _instructed(cli, session, tmp_path)
    card = row["card_number"]
    failed = result_row(row, status="FAILED", failure_code="NAME_MISMATCH", txn="F1")
    cli("import", "partner-results", write_results(tmp_path / "f.csv", [failed]))
    relink = account_row(card, account_id="0844", linked_at="2020-04-23T08:00:00+07:00")
    cli("import", "payout-accounts", write_accounts(tmp_path / "a2.csv", [relink]))
    out = tmp_path / "out2"
    cli("payouts", "run", "--date", "2020-04-23", "--out", out)
    [retry] = read_csv(out / "instructions-OVO-2020-04-23.csv")
    late = result_row(row, txn="S1", processed_at="2020-04-23T12:00:00+07:00")
    cli("import", "partner-results", write_results(tmp_path / "s.csv", [late]))
    session.expire_all()
    states = {i.attempt: i.state for i in session.scalars(select(Instruction))}
    assert states == {1: "FAILED", 2: "OPEN"}  # the database allows one live attempt only
    retry_failed = result_row(retry, status="FAILED", failure_code="OTHER", txn="F2")
    cli("import", "partner-results", write_results(tmp_path / "f2.csv", [retry_failed]))
    session.expire_all()
    states = {i.attempt: i.state for i in session.scalars(select(Instruction))}
    assert states == {1: "SUCCEEDED", 2: "FAILED"}  # the earlier success now pays it
    assert prove_books(session).balanced
    assert balance(session, account_name="PAID_OUT") == 600_000


def test_bank_statement_csv_posts_escrow_movements(cli, session, tmp_path):
    copy = tmp_path / "bank-statement.csv"
    copy.write_bytes((SAMPLES / "bank-statement.csv").read_bytes())
    assert summary(cli("import", "bank-statement", copy).stdout)["loaded"] == 2
    assert summary(cli("import", "bank-statement", copy).stdout)["duplicates"] == 2
    assert balance(session, account_name="ESCROW") == -600_000
    assert balance(session, account_name="PARTNER_FUNDS:OVO") == 600_000
    rows = [
        {
            "statement_date": "2020-04-27",
            "bank_ref": "X1",
            "counterparty_code": "KEMENKEU",
            "amount_idr": "5000000",
            "direction": "CREDIT",
            "batch_id": "",
        },
        {
            "statement_date": "2020-04-27",
            "bank_ref": "X2",
            "counterparty_code": "OVO",
            "amount_idr": "0",
            "direction": "DEBIT",
            "batch_id": "B",
        },
        {
            "statement_date": "2020-04-27",
            "bank_ref": "X3",
            "counterparty_code": "OVO",
            "amount_idr": "10",
            "direction": "SIDEWAYS",
            "batch_id": "B",
        },
        {
            "statement_date": "2020-04-27",
            "bank_ref": "X4",
            "counterparty_code": "OVO",
            "amount_idr": "10",
            "direction": "DEBIT",
            "batch_id": "B" * 36,
        },
    ]
    path = write_csv(tmp_path / "b.csv", BANK_COLUMNS, rows)
    assert summary(cli("import", "bank-statement", path).stdout)["rejected"] == 3
    assert balance(session, account_name="ESCROW_FUNDING:KEMENKEU") == -5_000_000


def test_camt053_statement_carries_the_same_facts(cli, session, tmp_path):
    copy = tmp_path / "statement.xml"
    copy.write_bytes((FIXTURES / "camt053" / "statement.xml").read_bytes())
    result = cli("import", "bank-statement", copy)
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout) == {"loaded": 3, "duplicates": 0, "rejected": 2, "pending": 0}
    session.expire_all()
    lines = {
        line.bank_ref: (
            line.statement_date,
            line.counterparty_code,
            line.amount_idr,
            line.direction,
            line.batch_id,
        )
        for line in session.scalars(select(BankStatementLine))
    }
    assert lines == {
        "BNI-20200426-000731": (
            dt.date(2020, 4, 26),
            "OVO",
            1_200_000,
            "DEBIT",
            "B-OVO-2020-04-26-01",
        ),
        "BNI-20200426-000732": (
            dt.date(2020, 4, 26),
            "GOPAY",
            600_000,
            "DEBIT",
            "B-GOPAY-2020-04-26-01",
        ),
        "BNI-20200428-000112": (
            dt.date(2020, 4, 28),
            "OVO",
            600_000,
            "CREDIT",
            "B-OVO-2020-04-26-01",
        ),
    }
    rejects = read_csv(tmp_path / "statement.xml.rejects.csv")
    assert [(r["column"], r["bank_ref"]) for r in rejects] == [
        ("amount_idr", "BNI-20200428-000113"),
        ("", "BNI-20200428-000114"),
    ]
    assert all(int(r["line"]) > 1 for r in rejects)
    assert summary(cli("import", "bank-statement", copy).stdout)["duplicates"] == 3


def test_a_file_that_is_not_xml_is_unusable(cli, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<Document><BkToCstmrStmt>", encoding="utf-8")
    result = cli("import", "bank-statement", path)
    assert result.exit_code != 0 and len(result.stderr.strip().splitlines()) == 1
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<Document>&b;</Document>",
        encoding="utf-8",
    )
    assert cli("import", "bank-statement", bomb).exit_code != 0


def test_success_for_a_cancelled_instruction_pays_it_when_nothing_else_is_live(
    cli, session, tmp_path
):
    [row] = _instructed(cli, session, tmp_path)
    assert cli("payouts", "cancel", row["instruction_id"], "--reason", "x").exit_code == 0
    late = result_row(row, txn="S1", processed_at="2020-04-23T09:00:00+07:00")
    imported = cli("import", "partner-results", write_results(tmp_path / "s.csv", [late]))
    assert imported.exit_code == 0, imported.stderr
    session.expire_all()
    paid = session.get(Instruction, row["instruction_id"])
    assert (paid.state, paid.cancelled_on) == ("SUCCEEDED", DAY)  # the cancel stays on record
    out = tmp_path / "out2"
    cli("payouts", "run", "--date", "2020-04-24", "--out", out)
    assert not list(out.glob("instructions-*"))  # paid: never instructed again
    assert prove_books(session).balanced


def test_a_result_from_another_partner_answers_nothing(cli, session, tmp_path):
    [row] = _instructed(cli, session, tmp_path)
    stray = result_row(row, txn="G1", partner_code="GOPAY")
    summary_line = cli("import", "partner-results", write_results(tmp_path / "g.csv", [stray]))
    assert summary(summary_line.stdout)["loaded"] == 1
    session.expire_all()
    assert session.get(Instruction, row["instruction_id"]).state == "OPEN"
    assert prove_books(session).balanced
