"""Fixtures of the statistics' tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.statistics.factories import Program


@pytest.fixture
def program(session: Session) -> Program:
    """A program builder on the test's session."""
    return Program(session)
