"""Statements of the scoped daily run: the queue of changed keys and the gap by participant.

The queue (`reconciliation_changes`) is filled by triggers (migration 0013)
in each fact's own transaction. A run first copies the rows due by its day
into the temporary table `scope_seen` - one statement, so the copy holds
exactly the rows whose facts had committed when it ran - then reads the
facts, and at the end deletes from the queue exactly the rows it copied. A
fact committed after the copy, even one stamped earlier, keeps its queue row
for the next run: no change is ever lost, and one seen twice is harmless.

The day's time rules (`operations.timeline`) read the card numbers the due
rows name without deleting them; the run moves the card rows it deletes to
`time_rule_changes`, which the time rules empty of what they read, so a
change reaches them whichever runs first, or alone. A run in the same
transaction as the time rules (the daily command runs both) moves only the
rows they did not read: handing the day's cards back to them would make the
next day evaluate a busy day's cards a second time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session

from prakerja.reconciliation.models import GapCard, ReconciliationChange, TimeRuleChange
from prakerja.storage.arrow import compile_sql, fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows
from prakerja.storage.db import refresh_statistics

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
_TAKEN = "time_rules_taken"
_QUEUED = "time_rules_queued"
#: `Session.info` key: the transaction whose time rules copied their queue rows to `_QUEUED`.
_QUEUED_IN = "prakerja.time_rules_queued_in"
_CARDS = pa.schema([("card_number", pa.string())])


def _temporary(session: Session) -> str:
    return "pg_temp" if session.connection().dialect.name == "postgresql" else "temp"


def take_due_changes(session: Session, *, day: dt.date, keys: bool = True) -> None:
    """Copy the queue rows due by `day` into `scope_seen` (one statement: a consistent set).

    Without `keys`, only their ids (a full run reads everything; it only has
    to know which rows to delete).
    """
    changes = table_of(ReconciliationChange)
    refresh_statistics(session, changes.name)
    columns = list(changes.c) if keys else [changes.c.id]
    _copy(session, _SEEN, select(*columns).where(_due(changes, day)))


def _due(changes: Table, day: dt.date) -> ColumnElement[bool]:
    return or_(changes.c.on_day.is_(None), changes.c.on_day <= day)


def _copy(session: Session, name: str, rows: Select[Any]) -> None:
    """Copy `rows` into the temporary table `name` (replacing it), in one statement.

    The copy is analysed (on PostgreSQL), as the queues are before it: a queue
    holds a few rows on a quiet day and hundreds of thousands after a load,
    and with statistics of the quiet day the planner joins the two by nested
    loops: a busy day's hand-over (400,000 rows) took 2.5 s instead of 1.2 s,
    and over ten minutes once only the copy had statistics.
    """
    connection = session.connection()
    connection.execute(text(f"DROP TABLE IF EXISTS {_temporary(session)}.{name}"))
    connection.execute(text(f"CREATE TEMPORARY TABLE {name} AS {compile_sql(session, rows)}"))
    refresh_statistics(session, name)


def seen_changes(session: Session) -> pa.Table:
    """Return the keys of the queue rows copied by `take_due_changes`, each once (CHANGE_SCHEMA)."""
    seen = _seen_table()
    keys = select(*(seen.c[n] for n in CHANGE_SCHEMA.names)).distinct()
    return fetch_arrow(session, keys, CHANGE_SCHEMA)


def forget_seen_changes(session: Session) -> int:
    """Delete from the queue exactly the rows copied by `take_due_changes`; return how many.

    Their card rows move to `time_rule_changes`, for the day's time rules
    (each card and day once: a fact's several rows are one change to them),
    except those the time rules read in this transaction (`take_changed_cards`).
    """
    changes = table_of(ReconciliationChange)
    seen = changes.c.id.in_(select(_seen_table().c.id))
    cards = select(changes.c.on_day, changes.c.card_number).where(
        seen, changes.c.card_number.is_not(None)
    )
    if session.info.get(_QUEUED_IN) is session.get_transaction():
        read = _card_rows(_QUEUED)
        cards = cards.where(~exists().where(read.c.id == changes.c.id))
    cards = cards.distinct()
    session.execute(insert(table_of(TimeRuleChange)).from_select(["on_day", "card_number"], cards))
    result = session.execute(delete(changes).where(seen))
    return int(result.rowcount)  # type: ignore[attr-defined]


def take_changed_cards(session: Session, *, day: dt.date) -> pa.Array:
    """Return the cards named by the changes due by `day`, for the day's time rules.

    Those queued, and those a daily run moved to `time_rule_changes`; the
    latter are copied to `time_rules_taken` first, for `forget_taken_cards`,
    the former to `time_rules_queued`, so that a run later in the same
    transaction does not hand them back (`forget_seen_changes`). A change
    read twice (queued now, moved later) is harmless.
    """
    moved = table_of(TimeRuleChange)
    changes = table_of(ReconciliationChange)
    refresh_statistics(session, moved.name, changes.name)
    _copy(session, _TAKEN, select(moved.c.id, moved.c.card_number).where(_due(moved, day)))
    queued = select(changes.c.id, changes.c.card_number).where(
        _due(changes, day), changes.c.card_number.is_not(None)
    )
    _copy(session, _QUEUED, queued)
    session.info[_QUEUED_IN] = session.get_transaction()
    cards = union(
        select(_card_rows(_QUEUED).c.card_number), select(_card_rows(_TAKEN).c.card_number)
    )
    return fetch_arrow(session, cards, _CARDS)["card_number"].combine_chunks()


def forget_taken_cards(session: Session) -> None:
    """Delete from `time_rule_changes` exactly the rows copied by `take_changed_cards`."""
    moved = table_of(TimeRuleChange)
    session.execute(delete(moved).where(moved.c.id.in_(select(_card_rows(_TAKEN).c.id))))


def _card_rows(name: str) -> Table:
    """The temporary table `name` of queue rows' ids and card numbers (`_TAKEN`, `_QUEUED`)."""
    from sqlalchemy import Column, MetaData, Text

    return Table(name, MetaData(), Column("id"), Column("card_number", Text()))


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
