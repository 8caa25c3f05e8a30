"""The platform-event rules, set-based: DuckDB SQL over Arrow tables, no loop per event.

`decide` takes the events to judge (new ones and those still pending) and
the facts they depend on, and returns each event's verdict plus what the
applied ones change. Dependencies flow one way - purchase, refund,
attendance, completion, review - so one pass in that order settles every
event whose prerequisite arrived in the same batch. Only cards whose
purchases overrun their balance are walked one purchase at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

APPLIED, PENDING, REJECTED = "APPLIED", "PENDING", "REJECTED"
VERDICT_SCHEMA = pa.schema(
    [
        ("eid", pa.int64()),
        ("state", pa.string()),
        ("column", pa.string()),
        ("reason", pa.string()),
    ]
)
_SQL = Path(__file__).with_name("sql")


@dataclass(frozen=True)
class Facts:
    """What the events depend on, as Arrow tables (see `sql/*.sql` for their columns)."""

    cards: pa.Table
    courses: pa.Table
    platforms: pa.Table
    vouchers: pa.Table
    attended: pa.Table
    refused: pa.Table


@dataclass(frozen=True)
class Decisions:
    """Each event's verdict, and what the applied events change."""

    verdicts: pa.Table
    new_vouchers: pa.Table
    voucher_updates: pa.Table
    attendances: pa.Table
    balance_moves: pa.Table


def _sql(name: str) -> str:
    return (_SQL / f"{name}.sql").read_text(encoding="utf-8")


def decide(events: pa.Table, facts: Facts) -> Decisions:
    """Judge every event against the facts; return verdicts and the changes to make."""
    import duckdb

    db = duckdb.connect()
    try:
        for name, table in (
            ("events", events),
            ("cards", facts.cards),
            ("courses", facts.courses),
            ("platforms", facts.platforms),
            ("vouchers", facts.vouchers),
            ("attended", facts.attended),
            ("refused", facts.refused),
        ):
            db.register(name, table)
        return _decide(db)
    finally:
        db.close()


def _arrow(db: Any, sql: str) -> pa.Table:
    return db.sql(sql).to_arrow_table()


def _decide(db: Any) -> Decisions:
    db.execute(_sql("prepare"))
    # Refunds of vouchers bought before this batch give their money back first.
    db.execute(_sql("refunds").replace("known_vouchers", "vouchers").replace("$out", "early"))
    db.execute(_sql("purchases"))
    purchases = _arrow(db, "SELECT * FROM purchase_checks WHERE state = 'WALK'")
    walked = walk_overrun_cards(purchases)
    db.register("walked", walked)
    db.execute(_sql("known"))
    db.execute(_sql("refunds").replace("$out", "refund_verdicts"))
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


def walk_overrun_cards(purchases: pa.Table) -> pa.Table:
    """Decide, one purchase at a time, the purchases of cards whose batch overruns the balance.

    `purchases` holds the purchases that passed every other check, of the few
    cards where the running total exceeds what the card can spend, with the
    card's available balance, deadline and whether it already made a purchase.
    """
    order = pc.sort_indices(
        purchases,
        [("card_number", "ascending"), ("occurred_at", "ascending"), ("eid", "ascending")],
    )
    rows = purchases.take(order).to_pylist()
    verdicts: list[dict[str, Any]] = []
    remaining: dict[str, int] = {}
    started: dict[str, bool] = {}
    for row in rows:
        card = row["card_number"]
        left = remaining.setdefault(card, row["available_idr"])
        begun = started.setdefault(card, row["first_purchase_on"] is not None)
        if not begun and row["occurred_on"] > row["purchase_deadline"]:
            reason = f"first purchase after the card's deadline {row['purchase_deadline']}"
            verdicts.append(_verdict(row["eid"], REJECTED, "occurred_at", reason))
        elif row["amount_idr"] > left:
            reason = f"not enough training balance (remaining {left})"
            verdicts.append(_verdict(row["eid"], REJECTED, "amount_idr", reason))
        else:
            remaining[card] = left - row["amount_idr"]
            started[card] = True
            verdicts.append(_verdict(row["eid"], APPLIED, None, None))
    return pa.Table.from_pylist(verdicts, schema=VERDICT_SCHEMA)


def _verdict(eid: int, state: str, column: str | None, reason: str | None) -> dict[str, Any]:
    return {"eid": eid, "state": state, "column": column, "reason": reason}
