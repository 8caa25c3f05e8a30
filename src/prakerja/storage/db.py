"""Engine and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from prakerja.config import get_settings
from prakerja.kit import files


def is_sqlite(engine_or_url: Engine | str) -> bool:
    """Return True when the engine (or URL) is the embedded SQLite database."""
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings: WAL, enforced foreign keys, patience with locks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for the URL (default: settings, else the local SQLite file)."""
    resolved = get_settings().resolved_database_url(url)
    if resolved.startswith("postgresql://"):
        resolved = "postgresql+psycopg://" + resolved.removeprefix("postgresql://")
    engine = create_engine(resolved, **kwargs)
    if is_sqlite(resolved):
        event.listen(engine, "connect", _tune_sqlite)
        if engine.url.database and engine.url.database != ":memory:":
            files.protect(Path(engine.url.database))
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose sessions never expire objects on commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """Open a session that commits once at the end, or rolls back on any error."""
    with session_factory(engine)() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def driver_connection(session: Session) -> Any:
    """Return the driver's own connection under the session's transaction (sqlite3 or psycopg)."""
    raw = session.connection().connection.driver_connection
    if raw is None:
        raise RuntimeError("the session's connection has no driver connection")
    return raw


def refresh_statistics(session: Session, *tables: str) -> None:
    """Let PostgreSQL's planner see these tables' current rows (no-op on SQLite).

    Temporary tables are never analysed by autovacuum, and rows a transaction
    has just loaded are not yet in the statistics; without this, PostgreSQL
    plans joins over them as if they held a few rows (nested loops over
    hundreds of thousands). `ANALYZE` samples rows, so it stays cheap on
    large tables, and it counts the transaction's own uncommitted rows.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.exec_driver_sql(f'ANALYZE "{table}"')


#: What `index_lookups` sets on PostgreSQL, for the statements inside it.
_LOOKUP_SETTINGS = {"random_page_cost": "1.1", "jit": "off"}


@contextmanager
def index_lookups(session: Session) -> Iterator[None]:
    """Plan the statements inside for key lookups (PostgreSQL; nothing on SQLite).

    A scoped read joins a few thousand staged keys to tables of millions.
    With a random page read costed as on a spinning disk (PostgreSQL's
    default, 4) the planner scans the big tables instead (5.6 M results for
    40,000 lookups: 7.8 s against 0.1 s), and it compiles short queries to
    machine code (JIT) at a cost larger than the query's. Inside, random
    reads cost what they do on solid-state storage (1.1) and JIT is off; the
    settings go back to the server's after.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    for name, value in _LOOKUP_SETTINGS.items():
        connection.exec_driver_sql(f"SET LOCAL {name} = {value}")
    try:
        yield
    finally:
        for name in _LOOKUP_SETTINGS:
            connection.exec_driver_sql(f"SET LOCAL {name} TO DEFAULT")


#: A table is analysed again once it has grown by this share of its size at its last analysis...
STALE_GROWTH = 0.2
#: ... and by at least this many pages (1 MiB of 8 KiB pages).
STALE_PAGES = 128
_GROWN_TABLES = text(
    """
    SELECT c.relname
    FROM pg_class AS c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
      AND c.relname = ANY(:tables)
      AND pg_relation_size(c.oid)
          > (c.relpages * (1 + :growth) + :pages) * current_setting('block_size')::int
    ORDER BY c.relname
    """
)


def refresh_grown_statistics(engine: Engine, tables: Sequence[str]) -> list[str]:
    """Analyse those of `tables` grown by a fifth since their last analysis (PostgreSQL).

    Returns the names of the tables analysed.

    Autovacuum does this in its own time, or not at all where it is off; an
    import of many files in one command grows its tables from nothing
    meanwhile, and each next file is planned on the statistics of an empty
    table (a 1,000,000-event table scanned by platform for 2,000 keys per
    file). Run between files on the tables the import writes: one catalog
    query, and an `ANALYZE` (a sample) only when a table outgrew its
    statistics. Not the change queues its triggers fill: their readers
    analyse them when they read them, and a queue emptied by each run can
    be mostly dead rows (2 s for one `ANALYZE` of a 634 MB queue).
    """
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        params = {"growth": STALE_GROWTH, "pages": STALE_PAGES, "tables": list(tables)}
        grown = list(connection.execute(_GROWN_TABLES, params).scalars())
        for table in grown:
            connection.exec_driver_sql(f'ANALYZE "{table}"')
        connection.commit()
    return grown
