"""Bulk writes: a column left out for being all NULL is stored as NULL, never as its default."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from prakerja.storage import bulk
from prakerja.storage.bulk import append_rows, insert_new_rows
from tests.storage.probes import holding

PROBE = Table(
    "bulk_probe",
    MetaData(),
    Column("position", Integer, primary_key=True),
    Column("note", String),
    Column("defaulted", String, server_default="fallback"),
    Column("amount", BigInteger),
    prefixes=["TEMPORARY"],
)


@pytest.fixture
def probe(session: Session) -> Iterator[Session]:
    """The session, holding an empty temporary table with a server default."""
    yield from holding(session, PROBE)


def _stored(session: Session) -> list[tuple[object, ...]]:
    return [tuple(row) for row in session.execute(select(PROBE).order_by(PROBE.c.position))]


def test_all_null_columns_stay_null_and_a_default_is_not_applied(
    probe: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "_CHUNK_ROWS", 2)  # chunk 1 all NULL, chunk 2 mixed
    rows = pa.table(
        {
            "position": pa.array([1, 2, 3, 4], pa.int32()),
            "note": pa.array([None, None, "x", None], pa.string()),
            "defaulted": pa.array([None, None, None, "given"], pa.string()),
            "amount": pa.array([None, None, None, None], pa.int64()),
        }
    )
    assert append_rows(probe, PROBE, rows) == 4
    assert _stored(probe) == [
        (1, None, None, None),
        (2, None, None, None),
        (3, "x", None, None),
        (4, None, "given", None),
    ]


def test_keyed_insert_of_all_null_columns_counts_only_new_rows(probe: Session) -> None:
    first = pa.table({"position": pa.array([1, 2], pa.int32()), "note": pa.nulls(2, pa.string())})
    again = pa.table({"position": pa.array([2, 3], pa.int32()), "note": pa.nulls(2, pa.string())})
    assert insert_new_rows(probe, PROBE, first, key=("position",)) == 2
    assert insert_new_rows(probe, PROBE, again, key=("position",)) == 1
    assert _stored(probe) == [(1, None, "fallback", None)] + [
        (position, None, "fallback", None) for position in (2, 3)
    ]
