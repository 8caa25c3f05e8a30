"""The platform-event rules, set-based: DuckDB SQL over Arrow tables, no loop per event.

`decide` takes the events to judge (new ones and those still pending) and
the facts they depend on, and returns each event's verdict plus what the
applied ones change. Dependencies flow one way - purchase, refund,
attendance, completion, review - so one pass in that order settles every
event whose prerequisite arrived in the same batch. A card's purchases and
refunds are judged on one balance timeline in `occurred_at` order (this
batch's and those already applied); only cards whose timeline would go below
zero are walked one move at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from prakerja.storage.duck import duckdb_connection, read_sql

APPLIED, PENDING, REJECTED = "APPLIED", "PENDING", "REJECTED"
VERDICT_SCHEMA = pa.schema(
    [
        ("eid", pa.int64()),
        ("state", pa.string()),
        ("column", pa.string()),
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class Facts:
    """What the events depend on, as Arrow tables (see `sql/*.sql` for their columns)."""

    cards: pa.Table
    courses: pa.Table
    platforms: pa.Table
    vouchers: pa.Table
    attended: pa.Table
    refused: pa.Table
    applied_moves: pa.Table


@dataclass(frozen=True)
class Decisions:
    """Each event's verdict, and what the applied events change."""

    verdicts: pa.Table
    new_vouchers: pa.Table
    voucher_updates: pa.Table
    attendances: pa.Table
    balance_moves: pa.Table


def _sql(name: str) -> str:
    return read_sql("prakerja.transactions", name)


def decide(events: pa.Table, facts: Facts) -> Decisions:
    """Judge every event against the facts; return verdicts and the changes to make."""
    with duckdb_connection() as db:
        for name, table in (
            ("events", events),
            ("cards", facts.cards),
            ("courses", facts.courses),
            ("platforms", facts.platforms),
            ("vouchers", facts.vouchers),
            ("attended", facts.attended),
            ("refused", facts.refused),
            ("applied_moves", facts.applied_moves),
        ):
            db.register(name, table)
        return _decide(db)


def _arrow(db: Any, sql: str) -> pa.Table:
    return db.sql(sql).to_arrow_table()


def _run(db: Any, name: str, **tables: str) -> None:
    """Run `sql/NAME.sql` with each `$key` standing for the table named by its value."""
    sql = _sql(name)
    for key, table in tables.items():
        sql = sql.replace(f"${key}", table)
    db.execute(sql)


def _decide(db: Any) -> Decisions:
    db.execute(_sql("prepare"))
    db.execute(_sql("purchases"))
    # Refunds as if every purchase candidate were accepted: they place the balance's moves.
    _run(db, "known_vouchers", bought="candidates", out="candidate_vouchers")
    _run(db, "refunds", vouchers="candidate_vouchers", out="refund_candidates")
    db.execute(_sql("balance"))
    walked = walk_overrun_cards(_arrow(db, "SELECT * FROM overrun_moves"))
    db.register("walked", walked)
    db.execute(_sql("known"))
    _run(db, "known_vouchers", bought="bought", out="known_vouchers")
    _run(db, "refunds", vouchers="known_vouchers", out="refund_verdicts")
    db.execute(_sql("dependents"))
    db.execute(_sql("milestones"))
    verdicts = _arrow(db, _sql("verdicts")).cast(VERDICT_SCHEMA)
    return Decisions(
        verdicts=verdicts,
        new_vouchers=_arrow(db, _sql("new_vouchers")),
        voucher_updates=_arrow(db, _sql("voucher_updates")),
        attendances=_arrow(db, _sql("attendances")),
        balance_moves=_arrow(db, _sql("balance_moves")),
    )


def walk_overrun_cards(moves: pa.Table) -> pa.Table:
    """Decide, one move at a time, the purchases of cards whose balance timeline overruns.

    `moves` holds those cards' timelines (`sql/balance.sql`): candidate
    purchases and refunds of this batch, purchases and refunds already
    applied, each with its `delta`, and the card's balance before the first
    (`start_idr`), deadline and first purchase day. Returns the verdicts of
    the candidate purchases.
    """
    order = pc.sort_indices(
        moves,
        [
            ("card_number", "ascending"),
            ("at", "ascending"),
            ("rank", "ascending"),
            ("eid", "ascending"),
        ],
    )
    verdicts: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    for row in moves.take(order).to_pylist():
        if timeline and timeline[0]["card_number"] != row["card_number"]:
            verdicts += _walk_card(timeline)
            timeline = []
        timeline.append(row)
    if timeline:
        verdicts += _walk_card(timeline)
    return pa.Table.from_pylist(verdicts, schema=VERDICT_SCHEMA)


def _walk_card(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Walk one card's timeline in order, as a sequential ledger would.

    A purchase is accepted when its amount fits the balance at its instant
    and at every purchase already applied after it until its own refund (an
    earlier purchase arriving late must not overdraw what was spent since).
    A refund of a voucher bought in this batch counts only if that purchase
    was accepted.
    """
    first = timeline[0]
    deadline, begun = first["purchase_deadline"], first["first_purchase_on"] is not None
    bought_here = {move["voucher_code"] for move in timeline if move["kind"] == "PURCHASE"}
    refund_position = {
        move["voucher_code"]: position
        for position, move in enumerate(timeline)
        if move["kind"] == "REFUND"
    }
    floors = _floors(timeline, bought_here)
    balance: int = first["start_idr"]
    accepted: set[str] = set()
    verdicts: list[dict[str, Any]] = []
    for position, move in enumerate(timeline):
        voucher = move["voucher_code"]
        if move["kind"] != "PURCHASE":
            if move["kind"] != "REFUND" or voucher not in bought_here or voucher in accepted:
                balance += move["delta"]
            continue
        amount = -move["delta"]
        until = refund_position.get(voucher, len(timeline))
        ahead = [floors[later] for later in floors if position < later < until]
        left = max(min([balance, *ahead]), 0)
        if not begun and move["occurred_on"] > deadline:
            reason = f"first purchase after the card's deadline {deadline}"
            verdicts.append(_verdict(move["eid"], REJECTED, "occurred_at", reason))
        elif amount > left:
            reason = f"not enough training balance (remaining {left})"
            verdicts.append(_verdict(move["eid"], REJECTED, "amount_idr", reason))
        else:
            balance -= amount
            begun = True
            accepted.add(voucher)
            for later in floors:
                if position < later < until:
                    floors[later] -= amount
            verdicts.append(_verdict(move["eid"], APPLIED, None, None))
    return verdicts


def _floors(timeline: list[dict[str, Any]], bought_here: set[str]) -> dict[int, int]:
    """Return the balance after each purchase already applied, from the moves that are certain."""
    floors: dict[int, int] = {}
    level = timeline[0]["start_idr"]
    for position, move in enumerate(timeline):
        if move["kind"] != "PURCHASE" and move["voucher_code"] not in bought_here:
            level += move["delta"]
            if move["kind"] == "APPLIED_PURCHASE":
                floors[position] = level
    return floors


def _verdict(eid: int, state: str, column: str | None, reason: str | None) -> dict[str, Any]:
    return {"eid": eid, "state": state, "column": column, "reason": reason}
