"""Statements of the scoped daily run: the queue of changed keys and the gap by participant.

The queue (`reconciliation_changes`) is filled by triggers (migration 0013)
in each fact's own transaction. A run first copies the rows due by its day
into the temporary table `scope_seen` - one statement, so the copy holds
exactly the rows whose facts had committed when it ran - then reads the
facts, and at the end deletes from the queue exactly the rows it copied. A
fact committed after the copy, even one stamped earlier, keeps its queue row
for the next run: no change is ever lost, and one seen twice is harmless.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import Table, delete, func, or_, select, text
from sqlalchemy.orm import Session

from prakerja.reconciliation.models import GapCard, ReconciliationChange
from prakerja.storage.arrow import compile_sql, fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows

#: The keys a queue row may name, as the scope reads them.
CHANGE_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("batch_id", pa.string()),
        ("voucher_code", pa.string()),
        ("nik", pa.string()),
        ("partner_code", pa.string()),
        ("instruction_id", pa.string()),
        ("partner_txn_id", pa.string()),
        ("course_code", pa.string()),
    ]
)
GAP_CARD_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("stage", pa.string()), ("amount_idr", pa.int64())]
)
_SEEN = "scope_seen"


def _temporary(session: Session) -> str:
    return "pg_temp" if session.connection().dialect.name == "postgresql" else "temp"


def take_due_changes(session: Session, *, day: dt.date, keys: bool = True) -> None:
    """Copy the queue rows due by `day` into `scope_seen` (one statement: a consistent set).

    Without `keys`, only their ids (a full run reads everything; it only has
    to know which rows to delete).
    """
    changes = table_of(ReconciliationChange)
    columns = list(changes.c) if keys else [changes.c.id]
    due = select(*columns).where(or_(changes.c.on_day.is_(None), changes.c.on_day <= day))
    connection = session.connection()
    connection.execute(text(f"DROP TABLE IF EXISTS {_temporary(session)}.{_SEEN}"))
    connection.execute(text(f"CREATE TEMPORARY TABLE {_SEEN} AS {compile_sql(session, due)}"))


def seen_changes(session: Session) -> pa.Table:
    """Return the keys of the queue rows copied by `take_due_changes`, each once (CHANGE_SCHEMA)."""
    seen = _seen_table()
    keys = select(*(seen.c[n] for n in CHANGE_SCHEMA.names)).distinct()
    return fetch_arrow(session, keys, CHANGE_SCHEMA)


def forget_seen_changes(session: Session) -> int:
    """Delete from the queue exactly the rows copied by `take_due_changes`; return how many."""
    changes = table_of(ReconciliationChange)
    result = session.execute(delete(changes).where(changes.c.id.in_(select(_seen_table().c.id))))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _seen_table() -> Table:
    from sqlalchemy import Column, MetaData, Text

    return Table(
        _SEEN,
        MetaData(),
        Column("id"),
        *(Column(name, Text()) for name in CHANGE_SCHEMA.names),
    )


def replace_gap_cards(session: Session, rows: pa.Table, *, cards: Table | None) -> None:
    """Replace the stages of `cards` (staged card numbers; every card when None) by `rows`."""
    gap = table_of(GapCard)
    statement = delete(gap)
    if cards is not None:
        statement = statement.where(gap.c.card_number.in_(select(cards.c.card_number)))
    session.execute(statement)
    append_rows(session, gap, rows.select(GAP_CARD_SCHEMA.names).cast(GAP_CARD_SCHEMA))


def gap_counts(session: Session, *, cards: Table | None = None) -> list[tuple[str, int, int]]:
    """Return (stage, participants, amount) per stage of the stored participants.

    Of the staged `cards` only, when given.
    """
    query = select(GapCard.stage, func.count(), func.sum(GapCard.amount_idr))
    if cards is not None:
        query = query.where(GapCard.card_number.in_(select(cards.c.card_number)))
    rows = session.execute(query.group_by(GapCard.stage))
    return [(str(stage), int(count), int(amount or 0)) for stage, count, amount in rows]
