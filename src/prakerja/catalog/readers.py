"""Narrow Arrow readers of the training catalog, for set-based work in other domains."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.catalog.codes import BUNDLE, Category
from prakerja.catalog.models import Course, Provider
from prakerja.storage.arrow import fetch_arrow

COURSE_FACT_SCHEMA = pa.schema(
    [
        ("course_code", pa.string()),
        ("title", pa.string()),
        ("provider_code", pa.string()),
        ("provider_name", pa.string()),
        ("price_idr", pa.int64()),
        ("hours", pa.int32()),
        ("course_type", pa.string()),
        ("sessions", pa.int32()),
    ]
)


def course_facts(session: Session) -> pa.Table:
    """Return every course with its title, provider, price, hours, type and sessions."""
    query = select(
        Course.course_code,
        Course.title,
        Course.provider_code,
        Provider.provider_name,
        Course.price_idr,
        Course.hours,
        Course.course_type,
        Course.sessions,
    ).join(Provider, Provider.provider_code == Course.provider_code)
    return fetch_arrow(session, query, COURSE_FACT_SCHEMA)


def category_codes() -> list[str]:
    """Return the category codes in the order the program reports them."""
    return [category.value for category in Category]


def bundle_code() -> str:
    """Return the code under which a bundle (a course of several categories) is ranked."""
    return BUNDLE
