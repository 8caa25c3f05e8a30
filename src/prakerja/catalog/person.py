"""Statements that read the few catalog rows one person's story names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.catalog.models import Course


def course_titles(session: Session, *, course_codes: list[str]) -> dict[str, str]:
    """Return the title of each of a few courses, by code (unknown codes are left out)."""
    if not course_codes:
        return {}
    rows = session.execute(
        select(Course.course_code, Course.title).where(Course.course_code.in_(course_codes))
    )
    return {row[0]: row[1] for row in rows}
