"""The catalog's statements: courses, their platforms and categories, providers' credentials."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import BindParameter, ScalarSelect, select
from sqlalchemy.orm import Session

from prakerja.catalog.models import (
    Course,
    CourseCategory,
    CoursePlatform,
    Provider,
    ProviderCredential,
)
from prakerja.storage.arrow import fetch_arrow


def courses(session: Session, schema: pa.Schema) -> pa.Table:
    """Return every course, the columns `schema` names."""
    query = select(*(getattr(Course, name) for name in schema.names))
    return fetch_arrow(session, query, schema)


def course_platforms(session: Session, schema: pa.Schema) -> pa.Table:
    """Return which platform sells which course."""
    query = select(CoursePlatform.course_code, CoursePlatform.platform_code)
    return fetch_arrow(session, query, schema)


def course_categories(session: Session, schema: pa.Schema) -> pa.Table:
    """Return each course's categories."""
    query = select(CourseCategory.course_code, CourseCategory.category)
    return fetch_arrow(session, query, schema)


def find_course(session: Session, course_code: str) -> Course | None:
    """Return a course by code, or None."""
    return session.get(Course, course_code)


def provider_exists(session: Session, provider_code: str) -> bool:
    """Return whether the catalog knows a provider."""
    return session.get(Provider, provider_code) is not None


def credential_for_update(session: Session, client_code: str) -> ProviderCredential:
    """Return a provider's credentials row, locked, created (version 0) when it has none."""
    credential = session.get(ProviderCredential, client_code, with_for_update=True)
    if credential is None:
        credential = ProviderCredential(client_code=client_code, version=0)
        session.add(credential)
    return credential


def secret_ciphertext_of(client_code: str | BindParameter[str]) -> ScalarSelect[str]:
    """Return the stored ciphertext of a provider's secret, as a scalar subquery."""
    return (
        select(ProviderCredential.secret_ciphertext)
        .where(ProviderCredential.client_code == client_code)
        .scalar_subquery()
    )


def secret_ciphertext(session: Session, client_code: str) -> str | None:
    """Return the stored ciphertext of a provider's secret, or None."""
    return session.scalar(select(secret_ciphertext_of(client_code)))
