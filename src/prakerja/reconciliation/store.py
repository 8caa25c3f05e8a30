"""The break store: keep each condition's break under a stable id, set-based, run after run.

A run hands over the conditions the engine found; the store compares them
with the breaks it keeps (in DuckDB, over Arrow) and writes only what
changed: new breaks, changed descriptions, breaks the facts resolved.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from prakerja.audit.service import record_many
from prakerja.kit.clock import utc_now
from prakerja.reconciliation.engine import CONDITIONS, connect, sql
from prakerja.reconciliation.models import Break
from prakerja.reconciliation.taxonomy import BreakStatus, Resolution
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows

_DESCRIPTION = [f for f in CONDITIONS if f.name not in ("break_type", "break_key")]
LIVE = pa.schema(
    [
        ("break_id", pa.string()),
        ("break_type", pa.string()),
        ("break_key", pa.string()),
        ("occurrence", pa.int32()),
        ("status", pa.string()),
        *_DESCRIPTION,
    ]
)
HISTORY = pa.schema(
    [("break_type", pa.string()), ("break_key", pa.string()), ("last_occurrence", pa.int32())]
)
_ID_CHUNK = 5_000


@dataclass
class StoreChanges:
    """What one run changed in the break store, counted per break type."""

    opened: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    lapsed: int = 0


def apply_conditions(
    session: Session,
    conditions: pa.Table,
    *,
    day: dt.date,
    actor: str,
    run_id: int,
    audited: bool = True,
) -> StoreChanges:
    """Open, update and resolve breaks so that the store agrees with `conditions` on `day`."""
    live = fetch_arrow(
        session,
        select(*(getattr(Break, name) for name in LIVE.names)).where(
            or_(Break.status == BreakStatus.OPEN.value, Break.still_holds.is_(True))
        ),
        LIVE,
    )
    history = fetch_arrow(
        session,
        select(Break.break_type, Break.break_key, func.max(Break.occurrence)).group_by(
            Break.break_type, Break.break_key
        ),
        HISTORY,
    )
    connection = connect({"conditions": conditions, "live": live, "history": history})
    try:
        found = connection.sql(sql("found")).to_arrow_table()
        gone = connection.sql(sql("gone")).to_arrow_table()
    finally:
        connection.close()
    changes = StoreChanges()
    opened = _where(found, "OPEN")
    updated = _where(found, "UPDATE")
    resolved = _where(gone, "RESOLVE")
    lapsed = pa.concat_arrays(
        [
            _where(gone, "LAPSE")["break_id"].combine_chunks(),
            pc.drop_null(opened["superseded"]).combine_chunks(),
        ]
    )
    opened = opened.drop_columns(["superseded"])
    updated = updated.drop_columns(["superseded"])
    _insert_opened(session, opened, day)
    if updated.num_rows:
        session.execute(
            update(Break), updated.select(["break_id", *(f.name for f in _DESCRIPTION)]).to_pylist()
        )
    for ids in _chunks(resolved["break_id"].to_pylist()):
        session.execute(
            update(Break)
            .where(Break.break_id.in_(ids))
            .values(
                status=BreakStatus.RESOLVED.value,
                resolved_on=day,
                resolution=Resolution.AUTO.value,
                resolved_by=actor,
                still_holds=False,
            )
        )
    for ids in _chunks(lapsed.to_pylist()):
        session.execute(update(Break).where(Break.break_id.in_(ids)).values(still_holds=False))
    if audited:
        _audit(session, opened, "break.opened", day=day, actor=actor, run_id=run_id)
        _audit(session, resolved, "break.resolved", day=day, actor=actor, run_id=run_id)
    changes.opened.update(opened["break_type"].to_pylist())
    changes.updated.update(updated["break_type"].to_pylist())
    changes.resolved.update(resolved["break_type"].to_pylist())
    changes.lapsed = len(lapsed)
    return changes


def _where(actions: pa.Table, action: str) -> pa.Table:
    return actions.filter(pc.equal(actions["action"], action))


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def _insert_opened(session: Session, opened: pa.Table, day: dt.date) -> None:
    if opened.num_rows == 0:
        return
    count = opened.num_rows
    rows = opened.drop_columns(["action"])
    rows = rows.append_column("detected_on", pa.array([day] * count, pa.date32()))
    rows = rows.append_column("status", pa.array([BreakStatus.OPEN.value] * count, pa.string()))
    rows = rows.append_column("still_holds", pa.array([True] * count, pa.bool_()))
    insert_new_rows(session, table_of(Break), rows)


def _audit(
    session: Session, breaks: pa.Table, action: str, *, day: dt.date, actor: str, run_id: int
) -> None:
    """Record one audit event per break, in bulk: who ran the reconciliation, when, which run."""
    count = breaks.num_rows
    if count == 0:
        return
    resolution = {"resolution": Resolution.AUTO.value} if action == "break.resolved" else {}
    details = json.dumps({"run_id": run_id, **resolution})
    events = pa.table(
        {
            "occurred_at": pa.array([utc_now()] * count, pa.timestamp("us", tz="UTC")),
            "business_date": pa.array([day] * count, pa.date32()),
            "actor": pa.array([actor] * count, pa.string()),
            "action": pa.array([action] * count, pa.string()),
            "subject_type": pa.array(["break"] * count, pa.string()),
            "subject_id": breaks["break_id"],
            "details": pa.array([details] * count, pa.string()),
        }
    )
    record_many(session, events)
