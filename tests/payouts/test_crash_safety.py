"""A `payouts run` or an import killed half-way (SIGKILL), then run again, equals one clean run."""

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from prakerja.ledger.models import LedgerEntry
from prakerja.payouts.models import Entitlement, Instruction, PartnerResult, PaymentBatch
from tests.builders import read_csv
from tests.conftest import empty_all_tables
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

PRAKERJA = str(Path(sys.executable).parent / "prakerja")
DAY = dt.date(2020, 4, 22)
LATER = DAY + dt.timedelta(days=31)
PARTNERS = ("OVO", "BNI", "DANA", "GOPAY", "LINKAJA")


def _prakerja(database_url, *args, fault=None):
    env = dict(os.environ)
    env.pop("PRAKERJA_FAULT_POINT", None)
    if fault:
        env["PRAKERJA_FAULT_POINT"] = fault
    return subprocess.run(
        [PRAKERJA, *map(str, args), "--db", database_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _setup(session, folder):
    folder.mkdir()
    accounts = []
    for serial in range(1, 11):
        card = make_card(session, serial=9000 + serial)
        make_training(session, card)
        accounts.append(account_row(card, partner=PARTNERS[serial % 5]))
    session.commit()
    return write_accounts(folder / "accounts.csv", accounts)


def _results(folder, out):
    rows = []
    for path in sorted(out.glob("instructions-*.csv")):
        for n, row in enumerate(read_csv(path)):
            failed = n % 3 == 0
            rows.append(
                result_row(
                    row,
                    status="FAILED" if failed else "SUCCESS",
                    failure_code="ACCOUNT_NOT_VERIFIED" if failed else "",
                    txn=f"TX-{row['instruction_id']}",
                )
            )
    return write_results(folder / "results.csv", rows)


def _state(session, out):
    session.expire_all()
    tables = {
        "entitlements": [
            (e.card_number, e.kind, e.tranche, e.amount_idr, e.due_on, e.held_from, e.paid_on)
            for e in session.scalars(select(Entitlement))
        ],
        "instructions": [
            (i.instruction_id, i.batch_id, i.state, i.attempt, i.account_id, i.result_txn_id)
            for i in session.scalars(select(Instruction))
        ],
        "batches": [
            (b.batch_id, b.run_number, b.instruction_count, b.total_amount_idr)
            for b in session.scalars(select(PaymentBatch))
        ],
        "results": [
            (r.partner_txn_id, r.status, r.processed_on)
            for r in session.scalars(select(PartnerResult))
        ],
        "ledger": [
            (e.idempotency_key, e.debit_account, e.credit_account, e.amount_idr, e.effective_on)
            for e in session.scalars(select(LedgerEntry))
        ],
        "imports": session.execute(
            text("SELECT kind, loaded, duplicates, rejected FROM import_runs")
        ).all(),
    }
    files = {path.name: path.read_bytes() for path in sorted(out.glob("instructions-*"))}
    return {name: sorted(rows) for name, rows in tables.items()}, files


def _scenario(cli, database_url, session, folder, *, kills):
    """Run the program's days; each kill is a real process killed at its fault point first."""
    accounts = _setup(session, folder)
    out = folder / "out"
    assert cli("import", "payout-accounts", accounts).exit_code == 0
    for fault in kills.get("run", ()):
        killed = _prakerja(database_url, "payouts", "run", "--date", DAY, "--out", out, fault=fault)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert cli("payouts", "run", "--date", DAY.isoformat(), "--out", out).exit_code == 0
    results = _results(folder, out)
    for fault in kills.get("import", ()):
        killed = _prakerja(database_url, "import", "partner-results", results, fault=fault)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert cli("import", "partner-results", results).exit_code == 0
    assert cli("payouts", "run", "--date", LATER.isoformat(), "--out", out).exit_code == 0
    return _state(session, out)


@pytest.mark.slow
def test_killed_runs_and_imports_end_as_one_clean_run(cli, database_url, engine, session, tmp_path):
    clean = _scenario(cli, database_url, session, tmp_path / "clean", kills={})
    assert clean[0]["instructions"] and clean[1]
    session.close()
    empty_all_tables(engine)
    killed = _scenario(
        cli,
        database_url,
        session,
        tmp_path / "killed",
        kills={
            "run": ("payouts.before_commit", "payouts.before_files"),
            "import": ("import.before_commit",),
        },
    )
    assert killed == clean
