"""The demo's reconciliation desk: what the operator's staff do with each day's breaks.

After a day is reconciled the staff work its open breaks as the real desk
would: an instruction still without a result is queried with its partner,
who confirms it was never executed, and is cancelled so that the next run
instructs it again; a batch debit that exceeds its instructions by exactly
the bank's transfer fee is written off by finance, with the reason on
record. Everything else stays open for follow-up (a double credit or a
deducted fee to recover from a partner, another program's payment to send
back, an invoice line not to pay). Auditors also deliver a barring list
mid-program that names participants who were already paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from prakerja.demo.payouts import BANK_FEE_IDR, Holder, draw
from prakerja.demo.synth import write_csv
from prakerja.ingest.pipeline import ImportSummary, import_files
from prakerja.payouts.service import cancel_instruction, first_tranche_paid
from prakerja.reconciliation.service import resolve_break
from prakerja.reconciliation.taxonomy import BreakStatus, BreakType
from prakerja.registry.loaders import ExclusionsLoader
from prakerja.reporting.breaks import BREAKS_COLUMNS, breaks_as_of
from prakerja.storage.db import unit_of_work

#: Who finance's write-offs are recorded as, in the audit trail.
FINANCE = "demo-finance"
NEVER_EXECUTED = "partner confirmed by e-mail that the instruction was never executed"
#: The first day of the auditors' civil-service list, and how many paid since are surely on it.
CIVIL_SERVICE_FROM = dt.date(2020, 5, 1)
SURELY_LISTED = 2
BANK_FEE_WRITTEN_OFF = "bank transfer fee on the batch debit, charged to the operating budget"


@dataclass(frozen=True)
class DeskDay:
    """What the desk did on one business day."""

    day: dt.date
    cancelled: int
    written_off: int


def work_breaks(engine: Engine, day: dt.date) -> DeskDay:
    """Work the day's open breaks: cancel unexecuted instructions, write off bank fees."""
    cancelled = written_off = 0
    with unit_of_work(engine) as session:
        rows = [
            dict(zip(BREAKS_COLUMNS, row, strict=True)) for row in breaks_as_of(session, day=day)
        ]
        for row in rows:
            if row["status"] != BreakStatus.OPEN.value:
                continue
            if row["break_type"] == BreakType.MISSING_RESULT.value:
                cancel_instruction(
                    session, instruction_id=row["instruction_id"], reason=NEVER_EXECUTED, day=day
                )
                cancelled += 1
            elif (
                row["break_type"] == BreakType.BATCH_TOTAL_MISMATCH.value
                and row["reported_amount_idr"] is not None
                and row["reported_amount_idr"] - row["expected_amount_idr"] == BANK_FEE_IDR
            ):
                resolve_break(
                    session,
                    break_id=row["break_id"],
                    reason=BANK_FEE_WRITTEN_OFF,
                    actor=FINANCE,
                    write_off=True,
                )
                written_off += 1
    return DeskDay(day, cancelled, written_off)


def audit_list(
    engine: Engine, folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> ImportSummary:
    """Auditors match the civil service register against the cards, after the fact.

    About one participant in a hundred turns out to have been a civil servant
    since May 2020: what was paid to them since is an ineligible payment, and
    what is not yet instructed is held. Two participants paid since May are
    always among them, so that every demo has ineligible payments to recover.
    """
    with unit_of_work(engine) as session:
        paid = first_tranche_paid(session).to_pylist()
    since_may = sorted(
        holders[row["card_number"]].nik
        for row in paid
        if row["card_number"] in holders and row["paid_on"] >= CIVIL_SERVICE_FROM
    )
    named = {
        holder.nik
        for holder in holders.values()
        if draw(seed, "civil servant", holder.nik).random() < 0.01
    }
    rows = [
        {"nik": nik, "list_code": "CIVIL_SERVANT", "period": "2020-05", "source": "BKN"}
        for nik in named | set(since_may[:SURELY_LISTED])
    ]
    path = folder / f"exclusions-audit-{day}.csv"
    write_csv(path, ("nik", "list_code", "period", "source"), sorted(rows, key=str))
    return import_files(engine, ExclusionsLoader(), [path])
