"""The audit trail is hash-chained, verified end to end, and append-only on PostgreSQL."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from prakerja.audit.service import record, verify


def _three_records(session):
    for number in range(3):
        record(
            session,
            action="test.done",
            subject_type="t",
            subject_id=str(number),
            actor="ani",
            details={"n": number},
        )
    session.commit()


def test_records_chain_and_verify(session, cli):
    _three_records(session)
    assert verify(session)[1] is None
    answer = cli("audit", "verify")
    assert answer.exit_code == 0 and "3 records" in answer.stdout


def test_verify_names_the_first_record_that_does_not_fit(engine, session, cli):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses the tampering itself (next test)")
    _three_records(session)
    second = session.execute(text("SELECT id FROM audit_events ORDER BY id")).all()[1][0]
    session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :i"), {"i": second})
    session.commit()
    fitting, mismatch = verify(session)
    assert mismatch is not None and mismatch.event_id == second and fitting == 1
    answer = cli("audit", "verify")
    assert answer.exit_code != 0 and f"record {second}" in answer.stderr


def test_postgresql_lets_the_service_insert_but_never_update_or_delete(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    _three_records(session)
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    record(session, action="test.more", subject_type="t", subject_id="4", actor="ani")
    session.commit()
    assert verify(session) == (4, None)


def test_bulk_records_chain_after_single_ones(session):
    import datetime as dt
    import json

    import pyarrow as pa

    from prakerja.audit.service import append_events

    _three_records(session)
    count = 4
    at = dt.datetime(2026, 1, 5, 8, 0, 0, 123456, tzinfo=dt.UTC)
    events = pa.table(
        {
            "occurred_at": pa.array([at] * count, pa.timestamp("us", tz="UTC")),
            "business_date": pa.array([dt.date(2020, 6, 1)] * count, pa.date32()),
            "actor": pa.array(["budi"] * count),
            "action": pa.array(["break.opened"] * count),
            "subject_type": pa.array(["break"] * count),
            "subject_id": pa.array([f"B{n}" for n in range(count)]),
            "details": pa.array([json.dumps({"run_id": 7})] * count),
        }
    )
    assert append_events(session, events) == count
    record(session, action="test.after", subject_type="t", subject_id="x", actor="ani")
    session.commit()
    assert verify(session) == (8, None)


def test_concurrent_appends_do_not_fork_the_chain(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time; PostgreSQL serialises the tail by a lock")
    import threading

    from prakerja.storage.db import unit_of_work

    def append(worker: int) -> None:
        for number in range(10):
            with unit_of_work(engine) as own:
                record(
                    own,
                    action="test.race",
                    subject_type="t",
                    subject_id=f"{worker}-{number}",
                    actor=f"w{worker}",
                )

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from prakerja.storage.db import session_factory

    with session_factory(engine)() as fresh:
        assert verify(fresh) == (40, None)


def test_work_started_from_a_page_is_recorded_as_its_account(session):
    from prakerja.audit.service import acting_as, current_actor

    before = current_actor()
    with acting_as("operator1"):
        event = record(session, action="cards.revoked", subject_type="t", subject_id="1")
        assert current_actor() == "operator1"
    assert event.actor == "operator1" and current_actor() == before
