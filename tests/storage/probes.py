"""A temporary probe table held by a test's session, dropped again afterwards."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Table
from sqlalchemy.orm import Session


def holding(session: Session, table: Table) -> Iterator[Session]:
    """Create `table` on the session's connection, yield the session, then drop it."""
    table.create(session.connection())
    yield session
    session.rollback()
    table.drop(session.connection(), checkfirst=True)
    session.commit()
