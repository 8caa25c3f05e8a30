"""Reconciliation operations: run a day, rebuild from scratch, resolve a break, read breaks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.audit.service import current_actor, record
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import ConflictError
from prakerja.kit.progress import Reporter, SilentReporter
from prakerja.reconciliation import repository
from prakerja.reconciliation.claims import explain_repayments, open_recovery_claims
from prakerja.reconciliation.daily import evaluate_day
from prakerja.reconciliation.engine import (
    connect_facts,
    evaluate_on,
    evaluate_paired,
    know_until,
    knowing_tables,
)
from prakerja.reconciliation.escrow import EscrowProof, escrow_on
from prakerja.reconciliation.gap import GapReport, gap_on
from prakerja.reconciliation.models import BreakResolution, ReconciliationRun
from prakerja.reconciliation.resolutions import (
    break_partner_code,
    replay_resolution,
    resolve_break,
)
from prakerja.reconciliation.sources import (
    Facts,
    escrow_books,
    read_facts,
)
from prakerja.reconciliation.store import StoreChanges, apply_conditions
from prakerja.reconciliation.taxonomy import BreakType, RunMode

__all__ = [
    "Position",
    "RunSummary",
    "break_partner_code",
    "breaks_as_of",
    "day_position",
    "facts_on",
    "latest_position",
    "latest_run_day",
    "open_breaks_by_type",
    "open_breaks_on",
    "read_facts",
    "rebuild",
    "reconcile",
    "recorded_run",
    "resolve_break",
]


@dataclass(frozen=True)
class RunSummary:
    """What one reconciliation run found and changed."""

    day: dt.date
    mode: RunMode
    conditions: int
    opened: int
    resolved: int
    open_by_type: dict[str, int] = field(default_factory=dict)
    gap: GapReport | None = None
    escrow: EscrowProof | None = None
    run_id: int | None = None
    changes: pa.Table | None = None
    """A scoped daily run's changed keys (`card_number`, `nik`, `voucher_code`, ...) since the
    run `scoped_on`: the keys whose facts were written, or came due, since it (None: full)."""
    scoped_on: int | None = None

    @property
    def open_after(self) -> int:
        """How many breaks are open after the run."""
        return sum(self.open_by_type.values())


def latest_run_day(session: Session) -> dt.date | None:
    """Return the latest business day reconciled, or None before the first run."""
    return repository.latest_run_day(session)


def reconcile(
    session: Session,
    *,
    day: dt.date,
    actor: str | None = None,
    reporter: Reporter | None = None,
    engine: str = "duckdb",
    facts_dir: Path | None = None,
    full: bool = False,
) -> RunSummary:
    """Reconcile everything known up to `day` and bring the breaks up to date.

    `engine` runs the break conditions in process (`duckdb`) or on Apache Spark
    (`spark`); both run the same SQL files and store the breaks the same way.
    `facts_dir` reads the facts from the day's Parquet export instead.
    A DuckDB run after a daily run reads only the keys that changed (see
    `reconciliation.scope`); `full` reads the whole history instead. The
    breaks, gap report and escrow proof are the same either way.
    """
    reporter = reporter or SilentReporter()
    _refuse_going_back(session, day, "reconcile")
    who = actor or current_actor()
    started = utc_now()
    reporter.start("reading the system of record", 1)
    found = evaluate_day(session, day=day, engine=engine, full=full, facts_dir=facts_dir)
    reporter.advance(1)
    reporter.start(f"storing the breaks found on {engine}", 1)
    run = _new_run(session, day, RunMode.DAILY, who, started)
    run.scoped = found.scoped
    run.cards_read = found.cards_read
    conditions = found.conditions
    changes = apply_conditions(
        session,
        conditions=conditions,
        day=day,
        actor=who,
        run_id=run.id,
        within=None if found.within is None else found.within.keep,
    )
    open_recovery_claims(session, day, actor=who)
    escrow = explain_repayments(session, found.escrow)
    reporter.advance(1)
    summary = _finish_run(session, run, changes, conditions.num_rows, gap=found.gap, escrow=escrow)
    summary = replace(summary, changes=found.changes, scoped_on=found.scoped_on)
    if found.base is not None:
        run.details = {**run.details, "base": found.base}
    record(
        session,
        action="reconciliation.run",
        subject_type="reconciliation_run",
        subject_id=str(run.id),
        business_date=day,
        actor=who,
        details={"opened": summary.opened, "resolved": summary.resolved},
    )
    return summary


def rebuild(
    session: Session,
    *,
    day: dt.date,
    actor: str | None = None,
    reporter: Reporter | None = None,
    engine: str = "duckdb",
) -> list[RunSummary]:
    """Rebuild the breaks from scratch: replay every daily run so far, then `day`.

    The facts are read once, with when each became known. Every past daily
    run is replayed on the facts dated up to its day AND known when it
    started, and the operators' resolutions are applied again in the order
    they were made, so a rebuild gives the daily runs' breaks exactly, also
    when facts arrived after their own day (a late partner file, a barring
    list found by auditors). A `day` not reconciled yet is run on everything.
    `engine` is `duckdb` or `spark`, as for `reconcile`.
    """
    reporter = reporter or SilentReporter()
    _refuse_going_back(session, day, "rebuild")
    who = actor or current_actor()
    replays = repository.daily_run_starts(session)
    if not replays or replays[-1][0] < day:
        replays.append((day, None))
    resolutions = repository.resolutions_in_order(session)
    repository.delete_breaks(session)
    facts = read_facts(session, day=day, knowing=True)
    reporter.start(f"replaying reconciliation runs on {engine}", len(replays))
    replay = _Replay(session, facts, replays, resolutions, who)
    summaries: list[RunSummary] = []
    with _connected(facts, engine=engine) as connection:
        for position in range(len(replays)):
            summaries.append(replay.run(connection, position))
            reporter.advance(1)
    open_recovery_claims(session, day, actor=who)
    record(
        session,
        action="reconciliation.rebuilt",
        subject_type="reconciliation",
        subject_id=day.isoformat(),
        business_date=day,
        actor=who,
        details={"runs": len(replays), "days": sorted({d.isoformat() for d, _ in replays})},
    )
    return summaries


@dataclass
class _Replay:
    """What a rebuild replays: the past runs (day, start), the resolutions still to apply."""

    session: Session
    facts: Facts
    replays: list[tuple[dt.date, dt.datetime | None]]
    resolutions: list[BreakResolution]
    who: str

    def run(self, connection: Any, position: int) -> RunSummary:
        """Replay one past run with what it knew, then the resolutions made before the next."""
        replayed, cutoff = self.replays[position]
        started = utc_now()
        know_until(connection, cutoff, knowing_tables(self.facts))
        conditions = evaluate_on(connection, replayed)
        run = _new_run(self.session, replayed, RunMode.REBUILD, self.who, started)
        changes = apply_conditions(
            self.session,
            conditions=conditions,
            day=replayed,
            actor=self.who,
            run_id=run.id,
            audited=False,
        )
        following = self.replays[position + 1][1] if position + 1 < len(self.replays) else None
        pending = self.resolutions
        while pending and (following is None or pending[0].recorded_at < following):
            replay_resolution(self.session, pending.pop(0))
        return _finish_run(self.session, run, changes, conditions.num_rows)


@contextmanager
def _connected(facts: Facts, *, engine: str = "duckdb") -> Iterator[Any]:
    """Yield a connection (DuckDB, or Spark) on the facts; always closed."""
    connection = connect_facts(facts, engine=engine)
    try:
        yield connection
    finally:
        connection.close()


def open_breaks_by_type(session: Session, *, day: dt.date | None = None) -> dict[str, int]:
    """Return how many breaks are open now (or were on `day`), per type, in contract order."""
    counts = repository.open_counts_by_type(session, day)
    return {kind.value: counts.get(kind.value, 0) for kind in BreakType}


@dataclass(frozen=True)
class Position:
    """Where the program stood at the latest reconciliation run, as that run recorded it."""

    day: dt.date
    open_by_type: dict[str, int]
    gap: list[dict[str, Any]]
    escrow: dict[str, int]


def latest_position(session: Session) -> Position | None:
    """Return what the latest daily run recorded (cheap: no facts are read), or None."""
    run = repository.latest_daily_run(session)
    if run is None or "gap" not in run.details:
        return None
    return Position(
        day=run.business_date,
        open_by_type=dict(run.details.get("open_by_type", {})),
        gap=list(run.details["gap"]),
        escrow=dict(run.details.get("escrow", {})),
    )


def recorded_run(session: Session, *, day: dt.date) -> RunSummary:
    """Return what the runs up to `day` found that day, read-only (for a day already passed)."""
    opened, resolved = repository.changed_on(session, day)
    gap, escrow = day_position(session, day=day)
    return RunSummary(
        day=day,
        mode=RunMode.DAILY,
        conditions=0,
        opened=opened,
        resolved=resolved,
        open_by_type=open_breaks_by_type(session, day=day),
        gap=gap,
        escrow=escrow,
    )


def _refuse_going_back(session: Session, day: dt.date, what: str) -> None:
    latest = latest_run_day(session)
    if latest is not None and latest > day:
        raise ConflictError(
            f"cannot {what} {day}: the breaks are already reconciled up to {latest}"
        )


def _new_run(
    session: Session, day: dt.date, mode: RunMode, actor: str, started: dt.datetime
) -> ReconciliationRun:
    return repository.add_run(
        session,
        ReconciliationRun(
            business_date=day,
            mode=mode.value,
            actor=actor,
            started_at=started,
            finished_at=started,
            opened=0,
            resolved=0,
            open_after=0,
            details={},
        ),
    )


def _finish_run(
    session: Session,
    run: ReconciliationRun,
    changes: StoreChanges,
    conditions: int,
    *,
    gap: GapReport | None = None,
    escrow: EscrowProof | None = None,
) -> RunSummary:
    by_type = open_breaks_by_type(session)
    run.finished_at = utc_now()
    run.opened = sum(changes.opened.values())
    run.resolved = sum(changes.resolved.values())
    run.open_after = sum(by_type.values())
    run.details = {
        "conditions": conditions,
        "opened": dict(changes.opened),
        "resolved": dict(changes.resolved),
        "updated": dict(changes.updated),
        "lapsed": changes.lapsed,
        "open_by_type": by_type,
    }
    if gap is not None:
        run.details["gap"] = [
            {
                "stage": row.stage.value,
                "participants": row.participants,
                "amount_idr": row.amount_idr,
            }
            for row in gap.rows
        ]
    if escrow is not None:
        run.details["escrow"] = {
            "closing_idr": escrow.closing_idr,
            "funded_idr": escrow.books.funded_idr,
            "paid_idr": escrow.books.paid_idr,
            "in_flight_idr": escrow.books.in_flight_idr,
            "repaid_idr": escrow.books.repaid_idr,
            "repaid_to_claims_idr": escrow.repayments.to_claims_idr,
            "repaid_unknown_idr": escrow.repayments.unknown_idr,
            "written_off_idr": escrow.books.written_off_idr,
            "ledger_idr": escrow.ledger_idr,
            "difference_idr": escrow.difference_idr,
        }
    session.flush()
    return RunSummary(
        day=run.business_date,
        mode=RunMode(run.mode),
        conditions=conditions,
        opened=run.opened,
        resolved=run.resolved,
        open_by_type=by_type,
        gap=gap,
        escrow=escrow,
        run_id=run.id,
    )


@contextmanager
def facts_on(session: Session, *, day: dt.date) -> Iterator[Any]:
    """Open a DuckDB connection on the facts known on `day`, with `paired` already built."""
    with _connected(read_facts(session, day=day)) as connection:
        evaluate_paired(connection, day)
        yield connection


def day_position(session: Session, *, day: dt.date) -> tuple[GapReport, EscrowProof]:
    """Return the gap report and the escrow proof as of `day`, without touching the breaks."""
    books = escrow_books(session, day=day)
    with facts_on(session, day=day) as connection:
        gap, escrow = gap_on(connection, day), escrow_on(connection, day, books)
    return gap, explain_repayments(session, escrow)


def breaks_as_of(
    session: Session,
    *,
    day: dt.date,
    columns: Sequence[str],
    partner_code: str | None = None,
) -> list[Sequence[Any]]:
    """Return every break found by `day`: `columns`, then resolved_on and status as of `day`.

    With `partner_code`, only the breaks naming that partner.
    """
    return repository.breaks_as_of(session, day=day, columns=columns, partner_code=partner_code)


def open_breaks_on(session: Session, *, day: dt.date, schema: pa.Schema) -> pa.Table:
    """Return the columns `schema` names of every break open on `day`."""
    return repository.open_on(session, day=day, schema=schema)
