"""The Spark engine finds exactly the break conditions DuckDB finds, on the same facts.

Both run the same SQL files (`reconciliation/sql/*.sql`, carried to Spark SQL
by SQLGlot). Each test builds a small program, reads its facts once and
compares the two engines' conditions row for row; the property test does so
over generated programs, and the stored breaks of `reconcile --engine spark`
and `--rebuild --engine spark` are compared with DuckDB's.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings

from prakerja.reconciliation.engine import connect_facts, engine_tables, evaluate, evaluate_on
from prakerja.reconciliation.escrow import escrow_on
from prakerja.reconciliation.gap import gap_on
from prakerja.reconciliation.lake import write_facts
from prakerja.reconciliation.service import read_facts
from prakerja.reporting.breaks import breaks_as_of
from tests.conftest import empty_all_tables
from tests.reconciliation.factories import AMOUNT, D, World
from tests.reconciliation.test_rebuild_properties import START, _plant, programs

DAY = dt.timedelta(days=1)

pytestmark = [pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module", autouse=True)
def _java() -> None:
    """Spark needs Java 17; CI installs it, so only a developer's machine may lack it."""
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is not installed (.ci/run installs openjdk-17-jre-headless)")
        pytest.skip("the Spark engine needs Java 17: apt-get install -y openjdk-17-jre-headless")


def _rows(conditions) -> list[dict]:
    """The conditions as rows in one order, whatever order the engine gave them in."""
    return sorted(
        conditions.to_pylist(), key=lambda row: (row["break_type"], row["break_key"], row["reason"])
    )


def _plant_program(engine, session, program) -> None:
    """An emptied database holding a generated program (test_rebuild_properties.programs)."""
    session.rollback()
    empty_all_tables(engine)
    session.expire_all()
    world = World(session)
    for day_sent, outcome in program:
        for _offset, actions in sorted(_plant(world, day_sent, outcome).items()):
            for action in actions:
                action()
    session.commit()


def _plant_every_break(world: World) -> None:
    """A program with every break type of the contract, and payments that are fine."""
    sent = START
    batch = world.batch(day=sent)
    fine, short, elsewhere, twice, failed, listed, silent = (world.card() for _ in range(7))
    paid = world.instruction(fine, batch=batch, day=sent)
    world.result(paid, day=sent + DAY)
    world.result(world.instruction(short, batch=batch, day=sent), day=sent, amount=AMOUNT - 5)
    world.result(world.instruction(elsewhere, batch=batch, day=sent), day=sent, account="0899")
    doubled = world.instruction(twice, batch=batch, day=sent)
    world.result(doubled, day=sent + DAY)
    world.result(doubled, day=sent + 2 * DAY)
    world.result(world.instruction(failed, batch=batch, day=sent), day=sent, status="FAILED")
    world.result(world.instruction(listed, batch=batch, day=sent), day=sent + DAY)
    world.exclusion(listed, list_code="STUDENT", effective_from=sent)
    world.instruction(silent, batch=batch, day=sent)
    world.debit_batch(batch, day=sent, amount=123)
    world.bank_line(day=sent, amount=AMOUNT, batch="B-OVO-2020-05-04-99", counterparty="OVO")
    world.result("INS-NEVER-ISSUED", day=sent + DAY, partner="OVO")
    world.course("C-WEB", course_type="WEBINAR", sessions=2)
    for number, (redeemed, sessions, refunded, amount) in enumerate(
        [
            (True, (1, 2), None, 750_000),
            (False, (), None, 750_000),
            (True, (1,), None, 750_000),
            (True, (1, 2), sent, 750_000),
            (True, (1, 2), None, 700_000),
        ]
    ):
        card = world.card()
        voucher = world.voucher(card, redeemed_on=sent if redeemed else None, refunded_on=refunded)
        if sessions:
            world.attend(voucher, *sessions, day=sent)
        world.invoice(voucher, invoice_no=f"INV-{number}", day=sent + DAY, amount=amount)
        if number == 0:
            world.invoice(voucher, invoice_no="INV-AGAIN", day=sent + 2 * DAY)
    world.invoice("V-NEVER-SOLD", invoice_no="INV-X", day=sent + DAY)
    world.account(fine, linked_on=sent - 10 * DAY)


def test_every_break_type_and_the_gap_and_escrow_agree(world, session):
    _plant_every_break(world)
    session.commit()
    day = START + 5 * DAY
    facts = read_facts(session, day=day)
    in_process = evaluate(facts, day)
    on_spark = evaluate(facts, day, engine="spark")
    assert len({row["break_type"] for row in _rows(in_process)}) >= 10
    assert _rows(on_spark) == _rows(in_process)
    answers = {}
    for engine in ("duckdb", "spark"):
        connection = connect_facts(facts, engine=engine)
        try:
            evaluate_on(connection, day)
            answers[engine] = (gap_on(connection, day), escrow_on(connection, day, books=None))
        finally:
            connection.close()
    assert answers["spark"] == answers["duckdb"]


def test_the_exported_parquet_facts_reconcile_on_spark_as_in_process(world, session, tmp_path):
    from prakerja.reconciliation.spark import connect_lake

    _plant_every_break(world)
    session.commit()
    day = START + 4 * DAY
    facts = read_facts(session, day=day)
    write_facts(tmp_path / "lake", engine_tables(facts), day=day)
    assert (tmp_path / "lake" / "instructions" / f"created_on={START.isoformat()}").is_dir()
    lake_day, connection = connect_lake(tmp_path / "lake")
    try:
        assert lake_day == day
        from_lake = evaluate_on(connection, day)
    finally:
        connection.close()
    assert _rows(from_lake) == _rows(evaluate(facts, day))


def test_reconcile_and_rebuild_on_spark_store_the_breaks_duckdb_stores(
    world, session, cli, tmp_path
):
    _plant_every_break(world)
    session.commit()
    days = [START + DAY, START + 3 * DAY]
    for day in days:
        result = cli("reconcile", "--date", day.isoformat(), "--engine", "spark")
        assert result.exit_code == 0, result.stderr
    session.expire_all()
    on_spark = breaks_as_of(session, day=days[-1])
    session.rollback()
    assert cli("reconcile", "--date", days[-1].isoformat(), "--rebuild").exit_code == 0
    session.expire_all()
    assert breaks_as_of(session, day=days[-1]) == on_spark
    session.rollback()
    result = cli("reconcile", "--date", days[-1].isoformat(), "--rebuild", "--engine", "spark")
    assert result.exit_code == 0, result.stderr
    session.expire_all()
    assert breaks_as_of(session, day=days[-1]) == on_spark
    assert len(on_spark) >= 8


def test_reconcile_on_spark_from_the_export_stores_the_breaks_duckdb_stores(
    world, session, cli, tmp_path
):
    _plant_every_break(world)
    session.commit()
    day = START + 3 * DAY
    lake = tmp_path / "lake"
    assert cli("export", "facts", "--date", day.isoformat(), "--out", lake).exit_code == 0
    result = cli("reconcile", "--date", day.isoformat(), "--engine", "spark", "--facts", lake)
    assert result.exit_code == 0, result.stderr
    session.expire_all()
    on_spark = breaks_as_of(session, day=day)
    session.rollback()
    assert cli("reconcile", "--date", day.isoformat(), "--rebuild").exit_code == 0
    session.expire_all()
    assert breaks_as_of(session, day=day) == on_spark
    assert len(on_spark) >= 8
    assert lake.is_dir()


def test_an_unknown_engine_is_refused_in_one_line(cli):
    result = cli("reconcile", "--date", "2020-05-04", "--engine", "oracle")
    assert result.exit_code != 0
    assert "unknown engine 'oracle'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
def test_both_engines_agree_on_generated_programs(engine, session, program):
    _plant_program(engine, session, program)
    day = START + 6 * DAY
    facts = read_facts(session, day=day, knowing=True)
    for engine_name in ("duckdb", "spark"):
        connection = connect_facts(facts, engine=engine_name)
        try:
            evaluate_on_day = _rows(evaluate_on(connection, day))
        finally:
            connection.close()
        if engine_name == "duckdb":
            expected = evaluate_on_day
        else:
            assert evaluate_on_day == expected
    session.rollback()


def test_a_date_literal_binds_the_same_in_both_dialects():
    from prakerja.reconciliation.spark import bind, literal

    assert literal(D(2020, 5, 4)) == "DATE '2020-05-04'"
    assert literal("it's") == "'it''s'"
    assert bind("SELECT $day, $day_after", {"day": 1, "day_after": 2}) == "SELECT 1, 2"
