"""The demo's reconciliation: reconcile a business day; show the gap and the open breaks.

Each function takes the engine and the day(s) it works on and keeps no state
of its own, so the daily cycle can call them in whatever order it runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from prakerja.kit.money import format_rupiah
from prakerja.kit.progress import Reporter
from prakerja.operations.timeline import advance_to
from prakerja.reconciliation.service import (
    RunSummary,
    day_position,
    open_breaks_by_type,
    reconcile,
)
from prakerja.reporting.pdf import write_pdf
from prakerja.reporting.statement import build_statement
from prakerja.reporting.workbook import write_workbook
from prakerja.statistics.service import evaluate_signals
from prakerja.storage.db import unit_of_work


@dataclass(frozen=True)
class ReconciliationShown:
    """What the demo's closing reconciliation showed, and where the statement went."""

    day: dt.date
    sentence: str
    open_by_type: dict[str, int]
    workbook: Path
    pdf: Path


def reconcile_day(engine: Engine, day: dt.date, reporter: Reporter | None = None) -> RunSummary:
    """Reconcile one business day and evaluate its integrity signals, after its time rules."""
    with unit_of_work(engine) as session:
        advance_to(session, day=day)
        summary = reconcile(session, day=day, reporter=reporter)
        evaluate_signals(session, day=day)
        return summary


def show_reconciliation(
    console: Console, engine: Engine, day: dt.date, folder: Path
) -> ReconciliationShown:
    """Print the open breaks by type and the gap sentence; write the day's statement."""
    with unit_of_work(engine) as session:
        gap, escrow = day_position(session, day=day)
        open_by_type = open_breaks_by_type(session)
        statement = build_statement(session, day=day)
    stem = folder / f"reconciliation-statement-{day.isoformat()}"
    workbook = write_workbook(statement, stem.with_suffix(".xlsx"))
    pdf = write_pdf(statement, stem.with_suffix(".pdf"))
    table = Table(title=f"Open breaks, {day}", title_justify="left")
    table.add_column("break type", min_width=len("INVOICE_AMOUNT_MISMATCH"))
    table.add_column("open", justify="right")
    for kind, count in open_by_type.items():
        table.add_row(kind, str(count))
    table.add_row("[bold]total[/bold]", str(sum(open_by_type.values())))
    console.print(table)
    console.print(
        f"Escrow on {day}: closing {format_rupiah(escrow.closing_idr)}, "
        f"ledger {format_rupiah(escrow.ledger_idr)}, "
        f"difference {format_rupiah(escrow.difference_idr)}"
    )
    console.print(f"[bold]{gap.sentence()}[/bold]")
    console.print(f"Auditors' statement: {workbook} and {pdf}")
    return ReconciliationShown(
        day=day,
        sentence=gap.sentence(),
        open_by_type=open_by_type,
        workbook=workbook,
        pdf=pdf,
    )
