"""Questions and operations on the catalog that other domains and the front doors use."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyarrow as pa
from sqlalchemy import BindParameter, ScalarSelect, Table
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.catalog import repository
from prakerja.catalog.credentials import decrypt_secret, encrypt_secret, new_secret
from prakerja.catalog.errors import UnreadableCredentialsError
from prakerja.catalog.models import (
    Course,
)
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import InputError
from prakerja.storage.base import table_of

logger = logging.getLogger(__name__)
COURSE_SCHEMA = pa.schema(
    [
        ("course_code", pa.string()),
        ("provider_code", pa.string()),
        ("price_idr", pa.int64()),
        ("course_type", pa.string()),
        ("sessions", pa.int64()),
    ]
)
COURSE_PLATFORM_SCHEMA = pa.schema([("course_code", pa.string()), ("platform_code", pa.string())])
COURSE_CATEGORY_SCHEMA = pa.schema([("course_code", pa.string()), ("category", pa.string())])


def courses_for_join() -> Table:
    """Return the catalog's course table, for a statement of another domain to join on.

    Its columns `course_code`, `provider_code`, `course_type` and `sessions`
    are part of the catalog's interface; the statement stays one round trip.
    """
    return table_of(Course)


def courses_table(session: Session) -> pa.Table:
    """Return every course with its provider, price, type and number of sessions."""
    return repository.courses(session, COURSE_SCHEMA)


def course_platforms_table(session: Session) -> pa.Table:
    """Return which platform sells which course."""
    return repository.course_platforms(session, COURSE_PLATFORM_SCHEMA)


def course_categories_table(session: Session) -> pa.Table:
    """Return each course's categories (several for a bundle)."""
    return repository.course_categories(session, COURSE_CATEGORY_SCHEMA)


def get_course(session: Session, *, course_code: str) -> Course | None:
    """Return a course by code, or None."""
    return repository.find_course(session, course_code)


@dataclass(frozen=True)
class IssuedKey:
    """Credentials just issued: shown once to the operator, never stored in plain text."""

    client_code: str
    secret: str
    version: int
    known_provider: bool


def issue_key(session: Session, *, provider_code: str) -> IssuedKey:
    """Issue a provider's API credentials, or rotate them: the previous secret stops at once."""
    code = provider_code.strip()
    if not code or not code.isascii() or code.upper() != code or len(code) > 40:
        raise InputError(f"not a provider code (upper-case, at most 40 characters): {code!r}")
    secret = new_secret()
    credential = repository.credential_for_update(session, code)
    credential.version += 1
    credential.secret_ciphertext = encrypt_secret(secret)
    credential.issued_at = utc_now()
    known = repository.provider_exists(session, code)
    record(
        session,
        action="provider.key_issued",
        subject_type="provider",
        subject_id=code,
        details={"version": credential.version, "known_provider": known},
    )
    return IssuedKey(code, secret, credential.version, known)


def secret_ciphertext_of(client_code: str | BindParameter[str]) -> ScalarSelect[str]:
    """Return the stored ciphertext of a provider's secret, as a subquery to read with more."""
    return repository.secret_ciphertext_of(client_code)


def provider_secret(session: Session, client_code: str) -> str | None:
    """Return a provider's current secret (decrypted), or None when it has no credentials."""
    return secret_from_ciphertext(client_code, repository.secret_ciphertext(session, client_code))


def secret_from_ciphertext(client_code: str, ciphertext: str | None) -> str | None:
    """Return the secret a provider's stored ciphertext holds, or None when it has none.

    A secret encrypted under another `PRAKERJA_SECRET_KEY` than the current
    one cannot be read: the operator is told in the log (never the secret)
    and the request is refused with `UnreadableCredentialsError` (401).
    """
    if ciphertext is None:
        return None
    secret = decrypt_secret(ciphertext)
    if secret is None:
        logger.error(
            "provider %s: its API secret cannot be decrypted with the current "
            "PRAKERJA_SECRET_KEY (it was issued under another key); issue a new one with "
            "`prakerja providers key %s`",
            client_code,
            client_code,
        )
        raise UnreadableCredentialsError(
            "the provider's credentials cannot be verified; ask the program operator to "
            "issue new ones"
        )
    return secret
