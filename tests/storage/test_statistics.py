"""The planner's inputs: rows loaded earlier in the transaction, and plans for key lookups."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select, text
from sqlalchemy.orm import Session

from prakerja.storage import db
from prakerja.storage.bulk import append_rows
from prakerja.storage.db import index_lookups, refresh_grown_statistics, refresh_statistics
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


def _pages(session: Session, table: str) -> int:
    return int(
        session.scalar(
            text(
                "SELECT relpages FROM pg_class WHERE relname = :table"
                " AND relnamespace = current_schema()::regnamespace"
            ),
            {"table": table},
        )
    )


def test_the_grown_tables_named_are_analysed_once_and_not_again(
    engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        assert refresh_grown_statistics(engine, ["grown_probe"]) == []
        return
    monkeypatch.setattr(db, "STALE_PAGES", 4)
    session.execute(text("CREATE TABLE grown_probe (n integer)"))
    session.execute(text("ALTER TABLE grown_probe SET (autovacuum_enabled = false)"))
    session.execute(text("INSERT INTO grown_probe SELECT generate_series(1, 3000)"))
    session.execute(text("CREATE TABLE grown_elsewhere AS SELECT * FROM grown_probe"))
    session.commit()
    try:
        assert refresh_grown_statistics(engine, ["grown_probe"]) == ["grown_probe"]
        session.rollback()
        assert _pages(session, "grown_probe") > 4
        assert (
            session.scalar(
                text("SELECT reltuples FROM pg_class WHERE oid = 'grown_probe'::regclass")
            )
            == 3000
        )
        assert refresh_grown_statistics(engine, ["grown_probe"]) == []
        assert _pages(session, "grown_elsewhere") == 0  # not named: left to its own readers
    finally:
        session.rollback()
        session.execute(text("DROP TABLE grown_probe, grown_elsewhere"))
        session.commit()


def test_an_import_of_files_leaves_its_tables_analysed(
    cli, engine, session: Session, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    if engine.dialect.name != "postgresql":
        pytest.skip("the statistics are PostgreSQL's planner's")
    monkeypatch.setattr(db, "STALE_PAGES", 0)
    sample = Path(__file__).parent.parent / "fixtures" / "contract" / "courses.csv"
    copy = tmp_path / "courses.csv"
    copy.write_bytes(sample.read_bytes())
    assert _pages(session, "courses") == 0
    assert cli("import", "courses", copy).exit_code == 0
    session.rollback()
    assert _pages(session, "courses") > 0
