"""Two ledger writers touching the same totals rows in opposite orders queue, never deadlock.

On PostgreSQL the insert trigger takes the ledger's bulk advisory lock before its upsert,
so a second writer waits at its first statement instead of holding one totals row while
waiting for another (the opposite order here deadlocks without that lock).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, text

from prakerja.storage.db import session_factory
from tests.conftest import POSTGRES_URL
from tests.ledger.test_day_totals import FIRST, insert_select, stored_totals

pytestmark = pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="the advisory lock is PostgreSQL's; SQLite has one writer at a time anyway",
)

X, Y = "ESCROW", "PROGRAM_FUND"


def _wait_until_blocked(engine: Engine, pid: list[int]) -> None:
    deadline = time.monotonic() + 60
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            if pid:
                state = connection.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid[0]},
                ).scalar()
                if state == "Lock":
                    return
            time.sleep(0.05)
    pytest.fail("the second writer never waited for the first")


def test_writers_in_opposite_orders_queue_instead_of_deadlocking(engine: Engine) -> None:
    with session_factory(engine)() as first:
        insert_select(first, [("A1", X, "PARTNER_FUNDS:BNI", 10, FIRST)])
        pid: list[int] = []
        failures: list[BaseException] = []

        def second_writer() -> None:
            try:
                with session_factory(engine)() as second:
                    pid.append(int(second.execute(text("SELECT pg_backend_pid()")).scalar_one()))
                    insert_select(second, [("B1", Y, "PARTNER_FUNDS:OVO", 20, FIRST)])
                    insert_select(second, [("B2", X, "PARTNER_FUNDS:OVO", 40, FIRST)])
                    second.commit()
            except BaseException as error:
                failures.append(error)

        thread = threading.Thread(target=second_writer)
        thread.start()
        _wait_until_blocked(engine, pid)
        insert_select(first, [("A2", Y, "PARTNER_FUNDS:BNI", 80, FIRST)])
        first.commit()
    thread.join(60)
    assert not thread.is_alive() and failures == []
    with session_factory(engine)() as session:
        totals = stored_totals(session)
    assert totals[(X, FIRST)] == (50, 0)
    assert totals[(Y, FIRST)] == (100, 0)
