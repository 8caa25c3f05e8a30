"""Apply platform events: judge new and pending events together, then store every effect.

One call handles a whole file (or, after a provider's commit, the pending
events of one voucher): events already stored are reported by their state,
new ones and those still pending are judged by `rules.decide`, and the
results are written set-based - events with their state, vouchers,
attendance, balance movements with their ledger entries. A pending event of
an earlier file that is now applied or refused is reported against that
file (its import run's counts, and its `FILE.rejects.csv` when refused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.audit.service import count_late_outcomes, import_file_names
from prakerja.catalog.service import course_platforms_table, courses_table
from prakerja.ingest.rejects import append_late_rejects
from prakerja.ingest.validate import REJECT_SCHEMA, ROW
from prakerja.kit.clock import jakarta_days
from prakerja.registry.service import card_states, move_training_balances
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows, insert_new_rows, update_rows
from prakerja.storage.duck import duckdb_connection, read_sql
from prakerja.transactions import repository
from prakerja.transactions.models import Attendance, EventState, PlatformEvent, Voucher
from prakerja.transactions.rules import Decisions, Facts, decide

EVENT_COLUMNS = (
    "platform_code",
    "event_id",
    "event_type",
    "occurred_at",
    "card_number",
    "course_code",
    "voucher_code",
    "amount_idr",
    "sequence",
    "certificate_no",
    "rating",
    "review_text",
)


@dataclass
class Settled:
    """What applying a batch of events came to, for the import summary and notes."""

    duplicates: int = 0
    pending: int = 0
    rejects: pa.Table = field(default_factory=REJECT_SCHEMA.empty_table)
    earlier_applied: int = 0
    earlier_rejected: int = 0


def import_events(
    session: Session, *, rows: pa.Table, import_run_id: int, raw: pa.Table | None
) -> Settled:
    """Store a file's valid events and apply them with every event still pending."""
    repository.lock_events(session)
    stored = repository.stored_events(
        session, pc.unique(rows["platform_code"]).to_pylist(), rows["event_id"]
    )
    settled = Settled()
    if stored.num_rows:
        rows, settled = _split_resent(rows, stored)
    first = repository.next_event_ids(session, rows.num_rows)
    eids = pa.array(range(first, first + rows.num_rows), pa.int64())
    occurred_on = jakarta_days(rows["occurred_at"])
    new = pa.table(
        {
            "eid": eids,
            **{name: rows[name] for name in EVENT_COLUMNS if name != "review_text"},
            "occurred_on": occurred_on,
        }
    ).select(repository.EVENT_SCHEMA.names)
    pending = repository.pending_events(session)
    decisions = _judge(session, pa.concat_tables([new, _as_events(pending)]))
    verdicts = decisions.verdicts
    mine = verdicts.filter(pc.is_in(verdicts["eid"], value_set=eids))
    by_eid = mine.sort_by("eid")
    _store_new_events(
        session,
        rows,
        eids=eids,
        occurred_on=occurred_on,
        verdicts=by_eid,
        import_run_id=import_run_id,
        raw=raw,
    )
    earlier = _settle_earlier(session, pending, verdicts)
    _apply(session, decisions)
    state = by_eid["state"]
    is_rejected = pc.equal(state, EventState.REJECTED.value)
    rejected = pa.table(
        {
            ROW: rows[ROW].filter(is_rejected),
            "column": pc.fill_null(by_eid["column"].filter(is_rejected), ""),
            "reason": by_eid["reason"].filter(is_rejected),
        },
        schema=REJECT_SCHEMA,
    )
    settled.pending += int(pc.sum(pc.equal(state, EventState.PENDING.value)).as_py() or 0)
    settled.rejects = pa.concat_tables([settled.rejects, rejected])
    settled.earlier_applied, settled.earlier_rejected = earlier
    return settled


def settle_pending(session: Session, *, voucher_codes: list[str]) -> tuple[int, int]:
    """Apply what became possible for these vouchers' pending events; return (applied, refused)."""
    pending = repository.pending_events(session, voucher_codes)
    if pending.num_rows == 0:
        return 0, 0
    repository.lock_events(session)
    decisions = _judge(session, _as_events(pending))
    earlier = _settle_earlier(session, pending, decisions.verdicts)
    _apply(session, decisions)
    return earlier


def _as_events(pending: pa.Table) -> pa.Table:
    return pending.select(repository.EVENT_SCHEMA.names)


def _split_resent(rows: pa.Table, stored: pa.Table) -> tuple[pa.Table, Settled]:
    """Report events sent again by the state they have; return the new rows."""
    with duckdb_connection() as db:
        db.register("file_rows", rows.select([ROW, "platform_code", "event_id"]))
        db.register("stored", stored)
        again = db.sql(read_sql("prakerja.transactions", "resent")).to_arrow_table()
    state = again["state"]
    refused = pc.equal(state, EventState.REJECTED.value)
    settled = Settled(
        duplicates=int(pc.sum(pc.equal(state, EventState.APPLIED.value)).as_py() or 0),
        pending=int(pc.sum(pc.equal(state, EventState.PENDING.value)).as_py() or 0),
        rejects=pa.table(
            {
                ROW: again[ROW].filter(refused),
                "column": pc.fill_null(again["state_column"].filter(refused), ""),
                "reason": again["state_reason"].filter(refused),
            },
            schema=REJECT_SCHEMA,
        ),
    )
    fresh = rows.filter(pc.invert(pc.is_in(rows[ROW], value_set=again[ROW])))
    return fresh, settled


def _judge(session: Session, events: pa.Table) -> Decisions:
    vouchers = events["voucher_code"]
    cards = card_states(session, card_numbers=events["card_number"])
    facts = Facts(
        cards=cards,
        courses=courses_table(session),
        platforms=course_platforms_table(session),
        vouchers=repository.voucher_facts(session, vouchers),
        attended=repository.attended_sessions(session, vouchers),
        refused=repository.refused_purchases(session, vouchers),
        applied_moves=_applied_moves(session, events, cards),
    )
    return decide(events, facts)


def _applied_moves(session: Session, events: pa.Table, cards: pa.Table) -> pa.Table:
    """Return the purchases and refunds already applied that the cards' balance timelines need.

    A timeline starts at the batch's earliest purchase (`since`). Only a card
    that had a refund applied from then on, or whose purchases here add up to
    more than its balance, can go below zero on it (`sql/balance.sql`); only
    those cards' vouchers bought or refunded from then on are read.
    """
    purchases = events.filter(pc.equal(events["event_type"], "PURCHASE"))
    if purchases.num_rows == 0:
        return repository.APPLIED_MOVE_SCHEMA.empty_table()
    since = pc.min(purchases["occurred_at"]).as_py()
    spending = purchases.group_by("card_number").aggregate([("amount_idr", "sum")])
    balances = spending.join(cards.select(["card_number", "balance_idr"]), "card_number")
    short = balances.filter(pc.less(balances["balance_idr"], balances["amount_idr_sum"]))
    refunded = repository.cards_refunded_since(session, since)
    wanted = pa.concat_arrays(
        [
            short["card_number"].combine_chunks(),
            refunded.filter(pc.is_in(refunded, value_set=purchases["card_number"])),
        ]
    )
    return repository.applied_moves(session, wanted, since)


def _raw_rows(raw: pa.Table | None, rows: pa.Table, pending: pa.Array) -> pa.Array:
    """Return, for pending rows only, the row as it came (JSON), to report a later refusal."""
    if raw is None or not pc.any(pending).as_py():
        return pa.nulls(rows.num_rows, pa.string())
    positions = rows[ROW].filter(pending)
    originals = raw.take(positions).to_pylist()
    texts = iter(json.dumps(original, ensure_ascii=False) for original in originals)
    return pa.array([next(texts) if flag else None for flag in pending.to_pylist()], pa.string())


def _store_new_events(
    session: Session,
    rows: pa.Table,
    *,
    eids: pa.Array,
    occurred_on: pa.Array,
    verdicts: pa.Table,
    import_run_id: int,
    raw: pa.Table | None,
) -> None:
    pending = pc.equal(verdicts["state"], EventState.PENDING.value)
    table = pa.table(
        {
            "id": eids,
            **{name: rows[name] for name in EVENT_COLUMNS},
            "occurred_on": occurred_on,
            "state": verdicts["state"],
            "state_reason": verdicts["reason"],
            "state_column": verdicts["column"],
            "import_run_id": pa.array([import_run_id] * rows.num_rows, pa.int64()),
            "source_line": pc.cast(rows["_line"], pa.int64()),
            "raw_row": _raw_rows(raw, rows, pending),
        }
    )
    append_rows(session, table_of(PlatformEvent), table)


def _settle_earlier(session: Session, pending: pa.Table, verdicts: pa.Table) -> tuple[int, int]:
    """Record what became of events pending from earlier files; return (applied, refused)."""
    if pending.num_rows == 0:
        return 0, 0
    judged = verdicts.filter(pc.is_in(verdicts["eid"], value_set=pending["eid"]))
    moved = judged.filter(pc.not_equal(judged["state"], EventState.PENDING.value))
    if moved.num_rows == 0:
        return 0, 0
    update_rows(
        session,
        table_of(PlatformEvent),
        pa.table(
            {
                "id": moved["eid"],
                "state": moved["state"],
                "state_column": moved["column"],
                "state_reason": moved["reason"],
            }
        ),
        key=("id",),
        assignments={
            "state": "s.state",
            "state_column": "s.state_column",
            "state_reason": "s.state_reason",
            "raw_row": "NULL",
        },
    )
    origin = {
        row["eid"]: row
        for row in pending.select(["eid", "import_run_id", "source_line", "raw_row"]).to_pylist()
    }
    late: dict[int, list[tuple[int, str, str, dict[str, str]]]] = {}
    counts: dict[int, tuple[int, int]] = {}
    for verdict in moved.to_pylist():
        source = origin[verdict["eid"]]
        run_id = source["import_run_id"]
        applied, refused = counts.get(run_id, (0, 0))
        if verdict["state"] == EventState.APPLIED.value:
            counts[run_id] = (applied + 1, refused)
            continue
        counts[run_id] = (applied, refused + 1)
        values: dict[str, Any] = json.loads(source["raw_row"]) if source["raw_row"] else {}
        late.setdefault(run_id, []).append(
            (
                source["source_line"] or 0,
                verdict["column"] or "",
                verdict["reason"] or "",
                {k: "" if v is None else str(v) for k, v in values.items()},
            )
        )
    _report_to_earlier_runs(session, counts, late)
    return (
        sum(applied for applied, _ in counts.values()),
        sum(refused for _, refused in counts.values()),
    )


def _report_to_earlier_runs(
    session: Session,
    counts: dict[int, tuple[int, int]],
    late: dict[int, list[tuple[int, str, str, dict[str, str]]]],
) -> None:
    for run_id, (applied, refused) in counts.items():
        count_late_outcomes(session, run_id=run_id, applied=applied, refused=refused)
    names = import_file_names(session, run_ids=late)
    for run_id, rows in late.items():
        path = Path(names[run_id])
        if path.parent.is_dir():
            append_late_rejects(path, sorted(rows, key=lambda row: row[0]))


def _apply(session: Session, decisions: Decisions) -> None:
    vouchers = decisions.new_vouchers
    if vouchers.num_rows:
        append_rows(session, table_of(Voucher), vouchers)
    if decisions.voucher_updates.num_rows:
        update_rows(
            session,
            table_of(Voucher),
            decisions.voucher_updates,
            key=("voucher_code",),
            assignments={
                column: f"COALESCE(t.{column}, s.{column})"
                for column in decisions.voucher_updates.column_names
                if column != "voucher_code"
            },
        )
    if decisions.attendances.num_rows:
        insert_new_rows(
            session,
            table_of(Attendance),
            decisions.attendances,
            key=("voucher_code", "sequence", "source"),
        )
    move_training_balances(session, moves=decisions.balance_moves)
