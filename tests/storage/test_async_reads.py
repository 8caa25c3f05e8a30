"""Event-loop reads on PostgreSQL: connections opened as needed, an outage never hangs readers."""

import asyncio

import psycopg
import pytest
from sqlalchemy import literal, select

from prakerja.storage.async_reads import AsyncReads, CompiledRead
from tests.event_loop import run_coroutine

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"


@pytest.fixture
def reads(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("event-loop reads are for PostgreSQL only")
    return AsyncReads(engine, size=2)


def test_reads_open_connections_only_as_needed_and_reuse_them(reads, engine):
    read = CompiledRead(select(literal(41) + 1), engine)

    async def scenario() -> list[object]:
        first = await reads.fetch_one(read, {})
        second = await reads.fetch_one(read, {})
        opened = len(reads._opened)
        together = await asyncio.gather(*(reads.fetch_one(read, {}) for _ in range(6)))
        await reads.close()
        return [first, second, opened, together, len(reads._opened)]

    first, second, opened, together, left = run_coroutine(scenario())
    assert first == second == (42,)
    assert opened == 1
    assert together == [(42,)] * 6
    assert left == 0


def test_a_read_during_an_outage_fails_and_the_next_one_recovers(reads, engine):
    read = CompiledRead(select(literal(7)), engine)

    async def scenario() -> tuple[object, ...]:
        reachable, reads._url = reads._url, UNREACHABLE
        # Before the fix, readers queued behind a failed connect waited for ever.
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(reads.fetch_one(read, {}) for _ in range(4)), return_exceptions=True),
            timeout=30,
        )
        reads._url = reachable
        recovered = await asyncio.wait_for(reads.fetch_one(read, {}), timeout=30)
        await reads.close()
        return tuple(outcomes), recovered

    outcomes, recovered = run_coroutine(scenario())
    assert all(isinstance(outcome, psycopg.OperationalError) for outcome in outcomes)
    assert recovered == (7,)
