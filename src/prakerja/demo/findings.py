"""The demo's closing findings: the ranking the program published and the signals found."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from prakerja.statistics.service import RankingRow, SignalRow, evaluate_signals, ranking
from prakerja.storage.db import unit_of_work


def findings(engine: Engine, day: dt.date) -> tuple[list[RankingRow], list[SignalRow]]:
    """Return the ranking as known on `day` and the signals the daily runs found by then."""
    with unit_of_work(engine) as session:
        return ranking(session, as_of=day), evaluate_signals(session, day=day, record=False)


def show_findings(console: Console, engine: Engine, day: dt.date) -> list[SignalRow]:
    """Print the ranking and the integrity signals found; return the signals."""
    ranked, signals = findings(engine, day)
    table = Table(title=f"Training categories by participants, {day}", title_justify="left")
    for column in ("rank", "category", "participants"):
        table.add_column(column, justify="left" if column == "category" else "right")
    for row in ranked:
        table.add_row(str(row.rank), row.category, str(row.participants))
    console.print(table)
    found = Table(
        title=f"Integrity signals found by {day} (leads, nothing held)", title_justify="left"
    )
    for column in ("type", "first seen", "cards", "evidence"):
        found.add_column(column)
    for signal in signals:
        found.add_row(
            signal.signal_type,
            signal.first_seen_on.isoformat(),
            str(len(signal.card_numbers)),
            signal.evidence,
        )
    console.print(found)
    return signals
