"""One day's evaluation for the daily run: the whole history, or only the keys that changed.

A daily run is scoped (see `scope`) when the run before it was a daily run
that left the gap by participant exact under the same schemes and schema
(its `details["base"]`); the first run, a run after a rebuild or a
migration, a Spark run, one asked `--full`, and one after a catalog change
read everything. Either way the queue of changed keys is copied first and
emptied of exactly what was copied at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.reconciliation import queue, repository
from prakerja.reconciliation.engine import connect_facts, connect_lake, evaluate_on
from prakerja.reconciliation.escrow import EscrowProof, escrow_on
from prakerja.reconciliation.gap import GapReport, gap_on, gap_report, stage_gap_cards
from prakerja.reconciliation.models import ReconciliationRun
from prakerja.reconciliation.scope import (
    ScopeFilter,
    build_scope,
    fingerprint,
    needs_full_run,
    read_scoped_facts,
)
from prakerja.reconciliation.sources import (
    escrow_books,
    read_facts,
)
from prakerja.reconciliation.taxonomy import RunMode
from prakerja.storage.db import index_lookups


@dataclass(frozen=True)
class DayResult:
    """What one day's evaluation found, and how much it read."""

    conditions: pa.Table
    gap: GapReport
    escrow: EscrowProof
    scoped: bool
    cards_read: int | None
    base: str | None
    """The fingerprint a next run may be scoped on (None: the next run reads everything)."""
    within: ScopeFilter | None = None
    """The keys a scoped run read: the store compares only their live breaks (None: all)."""
    changes: pa.Table | None = None
    """A scoped run's changed keys (CHANGE_SCHEMA) since the run `scoped_on` (None: full)."""
    scoped_on: int | None = None


def scoping_base(session: Session) -> ReconciliationRun | None:
    """Return the previous run if a run now may be scoped on it, else None."""
    run: ReconciliationRun | None = repository.latest_run(session)
    if run is None or run.mode != RunMode.DAILY.value or "gap" not in run.details:
        return None
    return run if run.details.get("base") == fingerprint() else None


def evaluate_day(
    session: Session, *, day: dt.date, engine: str, full: bool, facts_dir: Path | None = None
) -> DayResult:
    """Evaluate `day`: the break conditions, the gap report and the escrow proof.

    Copies the queue first (before any fact is read), keeps the gap by
    participant up to date, and empties the queue of what it copied. With
    `facts_dir` the facts are the day's Parquet export (always a full run).
    """
    scopable = not full and engine == "duckdb" and facts_dir is None
    previous = scoping_base(session) if scopable else None
    queue.take_due_changes(session, day=day, keys=previous is not None)
    changes = queue.seen_changes(session) if previous is not None else None
    if changes is not None and needs_full_run(changes):
        previous = None
    books = escrow_books(session, day=day)
    scope = None
    if previous is not None and changes is not None:
        with index_lookups(session):
            scope = build_scope(session, day=day, previous=previous.business_date, changes=changes)
            facts = read_scoped_facts(session, day=day, scope=scope)
        connection = connect_facts(facts, engine=engine)
    elif facts_dir is not None:
        connection = connect_lake(facts_dir, day=day, engine=engine)
    else:
        facts = read_facts(session, day=day)
        connection = connect_facts(facts, engine=engine)
    within = None if scope is None else ScopeFilter.of(scope, facts)
    try:
        conditions = evaluate_on(connection, day)
        if within is not None:
            conditions = within.keep(conditions)
        escrow = escrow_on(connection, day, books)
        if engine != "duckdb":
            gap = gap_on(connection, day)
            queue.forget_seen_changes(session)
            return DayResult(conditions, gap, escrow, False, None, None)
        stage_gap_cards(connection, day)
        staged = connection.sql("SELECT card_number, stage, amount_idr FROM gap_cards")
        by_card = staged.to_arrow_table()
    finally:
        connection.close()
    counted = _by_stage(by_card)
    with index_lookups(session):
        if previous is not None and scope is not None:
            # The previous run's report, less the scoped cards' stages then, plus theirs now.
            before = queue.gap_counts(session, cards=scope.cards)
            counted = _sum(_sum(_recorded(previous.details["gap"]), before, -1), counted, 1)
        queue.replace_gap_cards(session, by_card, cards=None if scope is None else scope.cards)
        queue.forget_seen_changes(session)
    gap = gap_report(day, counted)
    if previous is None or scope is None:
        return DayResult(conditions, gap, escrow, False, None, fingerprint())
    cards = len(scope.card_numbers)
    return DayResult(
        conditions, gap, escrow, True, cards, fingerprint(), within, changes, previous.id
    )


def _by_stage(by_card: pa.Table) -> list[tuple[str, int, int]]:
    grouped = by_card.group_by("stage").aggregate([("card_number", "count"), ("amount_idr", "sum")])
    return [
        (str(row["stage"]), int(row["card_number_count"]), int(row["amount_idr_sum"] or 0))
        for row in grouped.to_pylist()
    ]


def _recorded(rows: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(str(r["stage"]), int(r["participants"]), int(r["amount_idr"])) for r in rows]


def _sum(
    left: Sequence[tuple[str, int, int]], right: Sequence[tuple[str, int, int]], sign: int
) -> list[tuple[str, int, int]]:
    totals: dict[str, tuple[int, int]] = {stage: (n, a) for stage, n, a in left}
    for stage, n, a in right:
        count, amount = totals.get(stage, (0, 0))
        totals[stage] = (count + sign * n, amount + sign * a)
    return [(stage, n, a) for stage, (n, a) in totals.items()]
