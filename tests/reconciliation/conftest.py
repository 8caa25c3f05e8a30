"""Fixtures of the reconciliation tests: a world of facts and a reconcile helper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.reconciliation.models import Break
from prakerja.reconciliation.service import RunSummary, reconcile
from tests.reconciliation.factories import World


@pytest.fixture
def world(session: Session) -> Iterator[World]:
    """Factories for the facts, in the test's session."""
    yield World(session)
    session.rollback()
    session.close()


@pytest.fixture
def run(session: Session) -> Callable[[dt.date], RunSummary]:
    """Reconcile a day in the test's session, committing like the command does."""

    def reconcile_day(day: dt.date) -> RunSummary:
        summary = reconcile(session, day=day, actor="tester")
        session.commit()
        return summary

    return reconcile_day


def all_breaks(session: Session, break_type: str | None = None) -> list[Break]:
    """Every stored break (of one type), oldest first."""
    query = select(Break).order_by(Break.detected_on, Break.break_type, Break.break_key)
    if break_type:
        query = query.where(Break.break_type == break_type)
    session.expire_all()
    return list(session.scalars(query))
