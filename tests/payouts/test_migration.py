"""Migration 0005 brings a database of the previous release up to date, its rows kept."""

import datetime as dt

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from prakerja.payouts.models import Instruction, PaymentBatch
from prakerja.storage.db import make_engine, unit_of_work
from prakerja.storage.migrate import HEAD_REVISION, current_revision, ensure_current

_OLD_ROWS = (
    "INSERT INTO entitlements (id, card_number, kind, tranche, amount_idr, due_on, created_at) "
    "VALUES (1, '5200000000000001', 'POST_TRAINING', 1, 600000, '2020-04-21', "
    "'2020-04-21 03:00:00')",
    "INSERT INTO payment_batches (batch_id, partner_code, business_date, run_number, "
    "instruction_count, total_amount_idr, created_at) "
    "VALUES ('B-OVO-2020-04-22-01', 'OVO', '2020-04-22', 1, 1, 600000, '2020-04-22 03:00:00')",
    "INSERT INTO instructions (instruction_id, batch_id, entitlement_id, card_number, kind, "
    "tranche, attempt, partner_code, account_id, beneficiary_name, amount_idr, created_on, "
    "created_at, state, cancelled_on, cancel_reason) VALUES ('INS-5200000000000001-PT-01-01', "
    "'B-OVO-2020-04-22-01', 1, '5200000000000001', 'POST_TRAINING', 1, 1, 'OVO', '08', 'X', "
    "600000, '2020-04-22', '2020-04-22 03:00:00', 'CANCELLED', '2020-04-23', 'never executed')",
)


def test_a_0004_database_is_migrated_with_its_batches_and_cancels_kept(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", "prakerja.storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        for statement in _OLD_ROWS:
            connection.exec_driver_sql(statement)
    ensure_current(engine)
    assert current_revision(engine) == HEAD_REVISION
    with unit_of_work(engine) as session:
        batch = session.get(PaymentBatch, "B-OVO-2020-04-22-01")
        assert batch is not None and batch.files_written_at is None
        cancelled = session.get(Instruction, "INS-5200000000000001-PT-01-01")
        assert cancelled is not None
        assert (cancelled.cancelled_on, cancelled.cancelled_at) == (dt.date(2020, 4, 23), None)
    ensure_current(engine)  # at head: nothing to do
    assert current_revision(engine) == HEAD_REVISION
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    columns = {c["name"] for c in inspect(engine).get_columns("instructions")}
    assert "cancelled_at" not in columns and "cancel_reason" in columns
    engine.dispose()
