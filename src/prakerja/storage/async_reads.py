"""One-statement reads on PostgreSQL from an event loop, without a thread per request.

A request served in a worker thread costs two thread hand-overs and competes
for the GIL with the event loop; on a busy machine those hand-overs, not the
query, make the slow tail. `AsyncReads` keeps a few autocommit psycopg async
connections for one event loop and runs a SQLAlchemy statement compiled once
for PostgreSQL on them (prepared on each connection after its first use).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy import Engine
    from sqlalchemy.sql.compiler import Compiled
    from sqlalchemy.sql.expression import ClauseElement

#: How often a read waiting for a busy connection looks again for room to open one.
ACQUIRE_RECHECK_SECONDS = 0.5


class CompiledRead:
    """A statement compiled once for PostgreSQL: its SQL text and how to fill its parameters."""

    def __init__(self, statement: ClauseElement, engine: Engine) -> None:
        self._compiled: Compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(self._compiled)

    def parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        """Return the driver's parameters for these bind values (literals filled in)."""
        return dict(self._compiled.construct_params(values) or {})


class AsyncReads:
    """Up to `size` autocommit connections to one PostgreSQL database, for one event loop."""

    def __init__(self, engine: Engine, size: int) -> None:
        self.engine = engine
        #: Statements compiled for this database, by the caller's name for them.
        self.prepared: dict[str, CompiledRead] = {}
        self._url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._size = size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any]] | None = None
        self._opened: list[psycopg.AsyncConnection[Any]] = []
        self._connecting = 0

    async def _acquire(self) -> psycopg.AsyncConnection[Any]:
        """An idle connection, or a new one while fewer than `size` are open or being opened."""
        import psycopg

        if self._idle is None:
            self._idle = asyncio.Queue()
        while True:
            if not self._idle.empty():
                return self._idle.get_nowait()
            if len(self._opened) + self._connecting < self._size:
                self._connecting += 1
                try:
                    connection = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
                finally:
                    self._connecting -= 1
                self._opened.append(connection)
                return connection
            # Every connection is busy: wait for one, looking again now and then in
            # case a busy one was dropped rather than given back.
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(self._idle.get(), ACQUIRE_RECHECK_SECONDS)

    def _release(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Give a connection back for the next read, or forget it when the server closed it."""
        if connection.closed:
            if connection in self._opened:
                self._opened.remove(connection)
        elif self._idle is not None:
            self._idle.put_nowait(connection)

    async def fetch_one(self, read: CompiledRead, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """Run a compiled read; return its first row (None when it has none).

        A connection the server dropped is replaced and the read tried once more; when
        the database cannot be reached the read fails and the next one tries again,
        so an outage never leaves readers waiting for connections that were never made.
        """
        import psycopg

        parameters = read.parameters(values)
        connection = await self._acquire()
        try:
            return await self._run(connection, read.sql, parameters)
        except psycopg.OperationalError:
            if not connection.closed:
                raise
            self._release(connection)
            connection = await self._acquire()
            return await self._run(connection, read.sql, parameters)
        finally:
            self._release(connection)

    @staticmethod
    async def _run(
        connection: psycopg.AsyncConnection[Any], sql: str, parameters: dict[str, Any]
    ) -> tuple[Any, ...] | None:
        cursor = await connection.execute(sql, parameters, prepare=True)
        return await cursor.fetchone()

    async def close(self) -> None:
        """Close every connection opened."""
        for connection in self._opened:
            await connection.close()
        self._opened.clear()
        self._idle = None
