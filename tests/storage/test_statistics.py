"""The planner's inputs: rows loaded earlier in the transaction, and plans for key lookups."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select, text
from sqlalchemy.orm import Session

from prakerja.storage.bulk import append_rows
from prakerja.storage.db import index_lookups, refresh_statistics
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


def test_index_lookups_plan_the_statements_inside_and_restore_the_server_settings(
    session: Session,
) -> None:
    postgresql = session.get_bind().dialect.name == "postgresql"

    def setting(name: str) -> str | None:
        return session.scalar(text(f"SHOW {name}")) if postgresql else None

    before = (setting("random_page_cost"), setting("jit"))
    with index_lookups(session):
        inside = (setting("random_page_cost"), setting("jit"))
        assert session.scalar(select(func.count()).select_from(text("(SELECT 1) AS one"))) == 1
    assert (setting("random_page_cost"), setting("jit")) == before
    if postgresql:
        assert inside == ("1.1", "off")
        assert before[0] != "1.1"
