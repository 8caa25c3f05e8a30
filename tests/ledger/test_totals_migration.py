"""Migration 0013 sums the existing entries into the daily totals and installs the triggers;
a schema made from the models (`create_all`) gets the same triggers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

import tests.all_models  # noqa: F401 - registers every table on Base.metadata
from prakerja.storage.base import Base
from prakerja.storage.db import make_engine
from prakerja.storage.migrate import HEAD_REVISION, current_revision, ensure_current
from tests.conftest import empty_database

_ENTRY = (
    "INSERT INTO ledger_entries (idempotency_key, entry_kind, debit_account, credit_account, "
    "amount_idr, effective_on, reference, created_at) "
    "VALUES ('{key}', 'TEST', '{debit}', '{credit}', {amount}, '{day}', 'R', "
    "'2020-04-21 03:00:00')"
)
_OLD = [
    ("A", "ESCROW", "ESCROW_FUNDING:KEMENKEU", 1000, "2020-04-11"),
    ("B", "TRAINING_BALANCE:5200000000000001", "PROGRAM_FUND", 300, "2020-04-11"),
    ("C", "TRAINING_BALANCE:5200000000000002", "PROGRAM_FUND", 200, "2020-04-11"),
    ("D", "PARTNER_SETTLEMENT:OVO", "INCENTIVE_PAYABLE", 50, "2020-04-12"),
    ("E", "PARTNER_SETTLEMENT:OVO", "INCENTIVE_PAYABLE", 25, "2020-04-12"),
]
_EXPECTED = {
    ("ESCROW", "2020-04-11"): (1000, 0),
    ("ESCROW_FUNDING:KEMENKEU", "2020-04-11"): (0, 1000),
    ("TRAINING_BALANCE:*", "2020-04-11"): (500, 0),
    ("PROGRAM_FUND", "2020-04-11"): (0, 500),
    ("PARTNER_SETTLEMENT:OVO", "2020-04-12"): (75, 0),
    ("INCENTIVE_PAYABLE", "2020-04-12"): (0, 75),
}


@pytest.fixture
def fresh(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """An empty database of its own: a SQLite file, or a new PostgreSQL schema."""
    with empty_database(tmp_path, "prakerja_migration") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _totals(engine: Engine) -> dict[tuple[str, str], tuple[int, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT account, effective_on, debit_idr, credit_idr FROM ledger_day_totals")
        )
        return {(a, str(d)): (int(dr), int(cr)) for a, d, dr, cr in rows}


def _post(engine: Engine, *rows: tuple[str, str, str, int, str]) -> None:
    with engine.begin() as connection:
        for key, debit, credit, amount, day in rows:
            connection.exec_driver_sql(
                _ENTRY.format(key=key, debit=debit, credit=credit, amount=amount, day=day)
            )


def _alembic(engine: Engine, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", "prakerja.storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def test_the_migration_backfills_the_totals_and_the_triggers_keep_them(fresh: Engine) -> None:
    _alembic(fresh, "upgrade", "0012_spark_and_scale")
    _post(fresh, *_OLD)
    ensure_current(fresh)
    assert current_revision(fresh) == HEAD_REVISION
    assert _totals(fresh) == _EXPECTED
    _post(fresh, ("F", "PAID_OUT", "PARTNER_SETTLEMENT:OVO", 75, "2020-04-13"))
    after = {
        **_EXPECTED,
        ("PAID_OUT", "2020-04-13"): (75, 0),
        ("PARTNER_SETTLEMENT:OVO", "2020-04-13"): (0, 75),
    }
    assert _totals(fresh) == after
    _alembic(fresh, "downgrade", "0012_spark_and_scale")
    assert "ledger_day_totals" not in inspect(fresh).get_table_names()
    _post(fresh, ("G", "ESCROW", "ESCROW_FUNDING:KEMENKEU", 5, "2020-04-11"))
    ensure_current(fresh)
    assert _totals(fresh) == {**after, ("ESCROW", "2020-04-11"): (1005, 0)} | {
        ("ESCROW_FUNDING:KEMENKEU", "2020-04-11"): (0, 1005)
    }


def test_a_schema_made_from_the_models_has_the_triggers(fresh: Engine) -> None:
    Base.metadata.create_all(fresh)
    _post(fresh, *_OLD)
    assert _totals(fresh) == _EXPECTED
