"""fetch_arrow_matching: the rows named by keys, few or many, and never a read of the whole table.

Many keys used to read the whole table and filter it in Arrow: a daily events
file of 6,600 rows read every stored event of its platform, so each import
grew with the program's history. Many text keys are now staged and joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from prakerja.storage import scope
from prakerja.storage.arrow import compile_sql
from prakerja.storage.scope import fetch_arrow_matching
from tests.storage.probes import holding

ROWS = 600
PROBE = Table(
    "matching_probe",
    MetaData(),
    Column("code", String(20), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("day", Date),
)
SCHEMA = pa.schema([("code", pa.string()), ("n", pa.int64())])


@pytest.fixture
def probe(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A table of ROWS codes; `IN` lists end at 50 keys, so a few hundred keys are "many"."""
    monkeypatch.setattr(scope, "IN_LIST_KEYS", 50)
    monkeypatch.setattr(scope, "_IN_CHUNK", 20)
    for held in holding(session, PROBE):
        held.execute(insert(PROBE), [{"code": f"C{k:04d}", "n": k} for k in range(ROWS)])
        yield held


def _fetched(session: Session, keys: list[str | None]) -> list[tuple[str, int]]:
    query = select(PROBE.c.code, PROBE.c.n)
    found = fetch_arrow_matching(session, query, PROBE.c.code, pa.array(keys, pa.string()), SCHEMA)
    return sorted(zip(found["code"].to_pylist(), found["n"].to_pylist(), strict=True))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(st.none(), st.integers(0, ROWS + 100).map(lambda k: f"C{k:04d}")),
        max_size=300,
    )
)
def test_the_rows_named_whatever_how_many(probe: Session, keys: list[str | None]) -> None:
    expected = sorted({(key, int(key[1:])) for key in keys if key and int(key[1:]) < ROWS})
    assert _fetched(probe, keys) == expected


def test_many_keys_never_read_the_whole_table(
    probe: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    read = scope.fetch_arrow

    def recorded(session: Session, statement: Any, schema: pa.Schema) -> pa.Table:
        reads.append(compile_sql(session, statement))
        return read(session, statement, schema)

    monkeypatch.setattr(scope, "fetch_arrow", recorded)
    found = _fetched(probe, [f"C{k:04d}" for k in range(0, ROWS, 3)])
    assert len(found) == ROWS // 3
    assert len(reads) == 1
    assert "staged_code" in reads[0]


def test_many_keys_that_are_not_text_are_still_found(probe: Session) -> None:
    import datetime as dt

    days = [dt.date(2020, 1, 1) + dt.timedelta(days=k) for k in range(ROWS)]
    for code, day in zip([f"C{k:04d}" for k in range(ROWS)], days, strict=True):
        probe.execute(PROBE.update().where(PROBE.c.code == code).values(day=day))
    schema = pa.schema([("day", pa.date32()), ("code", pa.string())])
    query = select(PROBE.c.day, PROBE.c.code)
    found = fetch_arrow_matching(probe, query, PROBE.c.day, pa.array(days[:200]), schema)
    assert sorted(found["code"].to_pylist()) == [f"C{k:04d}" for k in range(200)]
