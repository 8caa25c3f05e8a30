"""Loader of courses.csv: providers, courses, categories (bundles) and selling platforms."""

from __future__ import annotations

from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.catalog.codes import Category, CourseType
from prakerja.catalog.models import Course, CourseCategory, CoursePlatform, Provider
from prakerja.ingest import checks
from prakerja.ingest.checks import CODE_PATTERN, Field
from prakerja.ingest.pipeline import ImportContext, Loader, StoreOutcome
from prakerja.ingest.validate import rejects_for
from prakerja.storage.base import table_of

_CODE = CODE_PATTERN.strip("^$")
_CATEGORY = "(" + "|".join(category.value for category in Category) + ")"


def _list_of(item: str) -> str:
    return rf"^{item}(\s*;\s*{item})*$"


def split_codes(text: str) -> list[str]:
    """Split a `;`-separated list of codes, keeping the first of each, in order."""
    seen: dict[str, None] = {}
    for part in text.split(";"):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


class CoursesLoader(Loader):
    """courses.csv: create or update courses, their provider, categories and platforms."""

    kind: ClassVar[str] = "courses"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("course_code", checks.code()),
        Field("title", checks.text(300)),
        Field("provider_code", checks.code()),
        Field("provider_name", checks.text(200)),
        Field(
            "categories",
            checks.pattern(
                _list_of(_CATEGORY),
                "must be category codes separated by ; ("
                + ", ".join(c.value for c in Category)
                + ")",
            ),
        ),
        Field("price_idr", checks.integer(minimum=1)),
        Field("hours", checks.integer(minimum=1)),
        Field("course_type", checks.one_of(tuple(CourseType))),
        Field("sessions", checks.integer(minimum=1, maximum=1000)),
        Field(
            "platforms",
            checks.pattern(_list_of(_CODE), "must be platform codes separated by ;"),
        ),
    )
    key: ClassVar[tuple[str, ...]] = ("course_code",)
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(Course), table_of(Provider))

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Create new courses, update changed ones; an unchanged course is a duplicate."""
        self_paced = pc.equal(rows["course_type"], CourseType.SELF_PACED.value)
        many = pc.and_(self_paced, pc.not_equal(rows["sessions"], 1))
        rejects = rejects_for(rows, many, "sessions", "must be 1 for a SELF_PACED course")
        rows = rows.filter(pc.invert(many))
        existing = _catalog_snapshot(session)
        providers = {p.provider_code: p for p in session.scalars(select(Provider))}
        duplicates = 0
        changed: list[str] = []
        for row in rows.to_pylist():
            wanted = _course_facts(row)
            provider = providers.get(row["provider_code"])
            if provider is None:
                provider = Provider(
                    provider_code=row["provider_code"], provider_name=row["provider_name"]
                )
                session.add(provider)
                providers[provider.provider_code] = provider
            elif provider.provider_name != row["provider_name"]:
                provider.provider_name = row["provider_name"]
            if existing.get(row["course_code"]) == wanted:
                duplicates += 1
                continue
            _write_course(session, row, wanted, context.import_run_id)
            changed.append(row["course_code"])
        session.flush()
        if changed:
            record(
                session,
                action="catalog.courses_loaded",
                subject_type="import_run",
                subject_id=str(context.import_run_id),
                details={"courses": len(changed)},
            )
        return StoreOutcome(duplicates=duplicates, rejects=rejects)


def _course_facts(row: dict[str, Any]) -> tuple[Any, ...]:
    categories = split_codes(row["categories"])
    return (
        row["title"],
        row["provider_code"],
        row["price_idr"],
        row["hours"],
        row["course_type"],
        row["sessions"],
        frozenset(categories),
        frozenset(split_codes(row["platforms"])),
    )


def _catalog_snapshot(session: Session) -> dict[str, tuple[Any, ...]]:
    categories: dict[str, set[str]] = {}
    for code, category in session.execute(
        select(CourseCategory.course_code, CourseCategory.category)
    ):
        categories.setdefault(code, set()).add(category)
    platforms: dict[str, set[str]] = {}
    for code, platform in session.execute(
        select(CoursePlatform.course_code, CoursePlatform.platform_code)
    ):
        platforms.setdefault(code, set()).add(platform)
    return {
        course.course_code: (
            course.title,
            course.provider_code,
            course.price_idr,
            course.hours,
            course.course_type,
            course.sessions,
            frozenset(categories.get(course.course_code, ())),
            frozenset(platforms.get(course.course_code, ())),
        )
        for course in session.scalars(select(Course))
    }


def _write_course(
    session: Session, row: dict[str, Any], facts: tuple[Any, ...], import_run_id: int
) -> None:
    code = row["course_code"]
    categories, platforms = facts[6], facts[7]
    session.flush()
    session.execute(delete(CourseCategory).where(CourseCategory.course_code == code))
    session.execute(delete(CoursePlatform).where(CoursePlatform.course_code == code))
    session.merge(
        Course(
            course_code=code,
            title=row["title"],
            provider_code=row["provider_code"],
            price_idr=row["price_idr"],
            hours=row["hours"],
            course_type=row["course_type"],
            sessions=row["sessions"],
            is_bundle=len(categories) > 1,
            import_run_id=import_run_id,
        )
    )
    session.flush()
    session.add_all(CourseCategory(course_code=code, category=c) for c in sorted(categories))
    session.add_all(CoursePlatform(course_code=code, platform_code=p) for p in sorted(platforms))
