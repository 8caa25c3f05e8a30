"""The demo's recovery: participants repay what the auditors' list made ineligible.

A week after the first recovery claims open, the escrow statement brings
their repayments: the first claim is part-paid, the second repaid in full,
a third (when there is one) over-paid, and one transfer quotes a claim id
mistyped, which names no claim. The demo ends with the recoveries' totals.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from prakerja.demo.synth import write_csv
from prakerja.ingest.pipeline import ImportSummary, import_files
from prakerja.kit.money import format_rupiah
from prakerja.payouts.camt053 import COLUMNS
from prakerja.payouts.codes import REPAYMENT
from prakerja.payouts.loaders import BankStatementLoader
from prakerja.recovery import service as recovery
from prakerja.storage.db import unit_of_work

REPAY_AFTER = dt.timedelta(days=7)
OVER_PAID_IDR = 50_000
MISTYPED_IDR = 100_000


def _repayment(day: dt.date, ref: str, claim_id: str, amount: int) -> dict[str, str]:
    return {
        "statement_date": day.isoformat(),
        "bank_ref": f"BNI-{day:%Y%m%d}-{ref}",
        "counterparty_code": REPAYMENT,
        "amount_idr": str(amount),
        "direction": "CREDIT",
        "batch_id": claim_id,
    }


def plant_repayments(engine: Engine, folder: Path, day: dt.date) -> ImportSummary | None:
    """Import the repayments once, on the first day a week after the first claim opened."""
    with unit_of_work(engine) as session:
        claims = recovery.recoveries(session, day=day)
        received = recovery.repayments_in_escrow(session, day=day).total_idr
    if received or not claims or claims[0].opened_on + REPAY_AFTER > day:
        return None
    first = claims[0]
    rows = [
        _repayment(day, "R00001", first.claim_id, first.amount_idr // 2),
        _repayment(day, "R00002", first.claim_id[:-4] + "XXXX", MISTYPED_IDR),
    ]
    if len(claims) > 1:
        rows.append(_repayment(day, "R00003", claims[1].claim_id, claims[1].amount_idr))
    if len(claims) > 2:
        over = claims[2].amount_idr + OVER_PAID_IDR
        rows.append(_repayment(day, "R00004", claims[2].claim_id, over))
    path = folder / f"bank-statement-repayments-{day}.csv"
    write_csv(path, COLUMNS, rows)
    return import_files(engine, BankStatementLoader(), [path])


def show_recoveries(console: Console, engine: Engine, day: dt.date, folder: Path) -> Path:
    """Write `export recoveries` as of `day` and print the recoveries' totals."""
    with unit_of_work(engine) as session:
        claims = recovery.recoveries(session, day=day)
        totals = recovery.recovery_totals(session, day=day, claimed=claims)
    path = folder / f"recoveries-{day}.csv"
    write_csv(
        path,
        recovery.RECOVERY_COLUMNS,
        [
            dict(zip(recovery.RECOVERY_COLUMNS, map(str, claim.contract_row()), strict=True))
            for claim in claims
        ],
    )
    table = Table(title=f"Recovery of ineligible payments, {day}", title_justify="left")
    table.add_column("")
    table.add_column("amount", justify="right")
    table.add_row(
        f"claims ({', '.join(f'{k} {n}' for k, n in totals.by_status.items())})",
        format_rupiah(totals.amount_idr),
    )
    table.add_row("repaid", format_rupiah(totals.repaid_idr))
    table.add_row("outstanding", format_rupiah(totals.outstanding_idr))
    table.add_row("over-paid (kept, owed back)", format_rupiah(totals.excess_idr))
    table.add_row("repayments naming no claim", format_rupiah(totals.unknown_idr))
    console.print(table)
    console.print(f"Recovery claims: {path}")
    return path
