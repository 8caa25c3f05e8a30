"""refresh_statistics: PostgreSQL's planner sees rows loaded earlier in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select, text
from sqlalchemy.orm import Session

from prakerja.storage.bulk import append_rows
from prakerja.storage.db import refresh_statistics
from tests.storage.probes import holding

PROBE = Table(
    "statistics_probe",
    MetaData(),
    Column("position", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


@pytest.fixture
def probe(session: Session) -> Iterator[Session]:
    """The session, holding an empty temporary table."""
    yield from holding(session, PROBE)


def test_statistics_see_rows_loaded_in_the_same_transaction(probe: Session) -> None:
    rows = pa.table({"position": pa.array(range(1, 501), pa.int32())})
    append_rows(probe, PROBE, rows)
    refresh_statistics(probe, PROBE.name)
    if probe.get_bind().dialect.name == "postgresql":
        estimate = probe.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = 'statistics_probe'::regclass")
        )
        assert estimate == 500
    assert probe.scalar(select(func.count()).select_from(PROBE)) == 500
