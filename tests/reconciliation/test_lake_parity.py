"""DuckDB reading the Parquet facts an export wrote finds exactly what it finds in process.

`prakerja reconcile --facts DIR` runs the engine on the folder `prakerja export
facts` wrote, DuckDB reading the files lazily instead of the facts being read
into the process as Arrow: the conditions, the gap report, the escrow proof and
the stored breaks must be the ones the in-process engine gives on the same day.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from prakerja.reconciliation.engine import connect_facts, connect_lake, engine_tables, evaluate_on
from prakerja.reconciliation.escrow import escrow_on
from prakerja.reconciliation.gap import gap_on
from prakerja.reconciliation.lake import connect_duckdb, write_facts
from prakerja.reconciliation.service import read_facts
from prakerja.reporting.breaks import breaks_as_of
from tests.reconciliation.test_rebuild_properties import START, programs
from tests.reconciliation.test_spark_parity import _plant_every_break, _plant_program, _rows

DAY = dt.timedelta(days=1)


def _answers(connection, day: dt.date) -> tuple:
    """The conditions (in one order), the gap report and the escrow proof of a connection."""
    try:
        conditions = _rows(evaluate_on(connection, day))
        return conditions, gap_on(connection, day), escrow_on(connection, day, books=None)
    finally:
        connection.close()


def test_the_exported_facts_give_every_break_the_gap_and_the_escrow_in_process(
    world, session, tmp_path
):
    _plant_every_break(world)
    session.commit()
    day = START + 5 * DAY
    facts = read_facts(session, day=day)
    write_facts(tmp_path / "lake", engine_tables(facts), day=day)
    from_lake = _answers(connect_lake(tmp_path / "lake", day=day), day)
    in_process = _answers(connect_facts(facts), day)
    assert len({row["break_type"] for row in from_lake[0]}) >= 10
    assert from_lake == in_process


def test_facts_exported_with_when_they_became_known_are_shown_as_known(world, session, tmp_path):
    _plant_every_break(world)
    session.commit()
    day = START + 4 * DAY
    facts = read_facts(session, day=day, knowing=True)
    write_facts(tmp_path / "lake", engine_tables(facts), day=day)
    assert (tmp_path / "lake" / "instructions_all").is_dir()
    assert _answers(connect_lake(tmp_path / "lake"), day) == _answers(connect_facts(facts), day)


def test_an_empty_table_reads_as_empty_with_its_types(tmp_path):
    day = START
    empty = pa.table(
        {"voucher_code": pa.array([], pa.string()), "attended_on": pa.array([], pa.date32())}
    )
    write_facts(tmp_path / "lake", {"attendances": empty}, day=day)
    lake_day, connection = connect_duckdb(tmp_path / "lake")
    try:
        read = connection.sql("SELECT * FROM attendances").to_arrow_table()
    finally:
        connection.close()
    assert lake_day == day
    assert read.num_rows == 0
    assert read.schema.types == [pa.string(), pa.date32()]


def test_reconcile_from_the_export_stores_the_breaks_of_the_database(world, session, cli, tmp_path):
    _plant_every_break(world)
    session.commit()
    days = [START + DAY, START + 3 * DAY]
    for day in days:
        lake = tmp_path / day.isoformat()
        assert cli("export", "facts", "--date", day.isoformat(), "--out", lake).exit_code == 0
        result = cli("reconcile", "--date", day.isoformat(), "--facts", lake)
        assert result.exit_code == 0, result.stderr
    session.expire_all()
    from_lake = breaks_as_of(session, day=days[-1])
    session.rollback()
    assert cli("reconcile", "--date", days[-1].isoformat(), "--rebuild").exit_code == 0
    session.expire_all()
    assert breaks_as_of(session, day=days[-1]) == from_lake
    assert len(from_lake) >= 8


def test_an_export_of_another_day_or_a_rebuild_from_one_is_refused(world, session, cli, tmp_path):
    _plant_every_break(world)
    session.commit()
    lake = tmp_path / "lake"
    assert cli("export", "facts", "--date", START.isoformat(), "--out", lake).exit_code == 0
    other_day = cli("reconcile", "--date", (START + DAY).isoformat(), "--facts", lake)
    assert other_day.exit_code != 0
    assert f"holds the facts of {START}" in other_day.stderr
    rebuild = cli("reconcile", "--date", START.isoformat(), "--rebuild", "--facts", lake)
    assert rebuild.exit_code != 0
    assert "rebuild" in rebuild.stderr
    (lake / "manifest.json").write_text(json.dumps({"version": 99}))
    unknown = cli("reconcile", "--date", START.isoformat(), "--facts", lake)
    assert unknown.exit_code != 0
    assert "unknown version" in unknown.stderr
    session.expire_all()
    assert breaks_as_of(session, day=START) == []


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
def test_the_lake_and_the_process_agree_on_generated_programs(
    engine, session, tmp_path_factory, program
):
    _plant_program(engine, session, program)
    day = START + 6 * DAY
    folder = tmp_path_factory.mktemp("lake")
    for knowing in (False, True):
        facts = read_facts(session, day=day, knowing=knowing)
        write_facts(folder / str(knowing), engine_tables(facts), day=day)
        from_lake = _answers(connect_lake(folder / str(knowing), day=day), day)
        assert from_lake == _answers(connect_facts(facts), day)
    session.rollback()


@pytest.mark.parametrize("name", ["instructions", "results"])
def test_the_lake_keeps_the_row_numbers_the_engine_pairs_by(world, session, tmp_path, name):
    _plant_every_break(world)
    session.commit()
    day = START + 5 * DAY
    tables = engine_tables(read_facts(session, day=day))
    write_facts(tmp_path / "lake", tables, day=day)
    _, connection = connect_duckdb(tmp_path / "lake")
    try:
        numbers = connection.sql(f"SELECT row_id FROM {name} ORDER BY row_id").fetchall()
    finally:
        connection.close()
    assert [row[0] for row in numbers] == list(range(tables[name].num_rows))
