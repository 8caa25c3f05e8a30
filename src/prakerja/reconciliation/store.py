"""The break store: keep each condition's break under a stable id, set-based, run after run.

A run hands over the conditions the engine found; the store compares them
with the breaks it keeps (in DuckDB, over Arrow) and writes only what
changed: new breaks, changed descriptions, breaks the facts resolved.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.audit.service import record_many
from prakerja.reconciliation import repository
from prakerja.reconciliation.engine import CONDITIONS, sql
from prakerja.reconciliation.taxonomy import BreakStatus, Resolution
from prakerja.storage.duck import duckdb_connection

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
    *,
    conditions: pa.Table,
    day: dt.date,
    actor: str,
    run_id: int,
    audited: bool = True,
    within: Callable[[pa.Table], pa.Table] | None = None,
) -> StoreChanges:
    """Open, update and resolve breaks so that the store agrees with `conditions` on `day`.

    With `within` (a scoped run), only the live breaks it keeps are compared:
    the others belong to keys the run did not read, and stay as they are.
    """
    live = repository.live_breaks(session, LIVE)
    if within is not None:
        live = within(live)
    history = repository.last_occurrences(session, HISTORY)
    tables = {"conditions": conditions, "live": live, "history": history}
    with duckdb_connection(tables) as connection:
        found = connection.sql(sql("found")).to_arrow_table()
        gone = connection.sql(sql("gone")).to_arrow_table()
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
        described = updated.select(["break_id", *(f.name for f in _DESCRIPTION)])
        repository.update_breaks(session, described.to_pylist())
    for ids in _chunks(resolved["break_id"].to_pylist()):
        repository.resolve_automatically(session, ids, day=day, actor=actor)
    for ids in _chunks(lapsed.to_pylist()):
        repository.mark_lapsed(session, ids)
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
    repository.insert_breaks(session, rows)


def _audit(
    session: Session, breaks: pa.Table, action: str, *, day: dt.date, actor: str, run_id: int
) -> None:
    """Record one audit event per break, in bulk: who ran the reconciliation, when, which run."""
    resolution = {"resolution": Resolution.AUTO.value} if action == "break.resolved" else {}
    record_many(
        session,
        action=action,
        subject_type="break",
        subject_ids=breaks["break_id"],
        details={"run_id": run_id, **resolution},
        business_date=day,
        actor=actor,
    )
