"""Pure rules of signing in: the lock-out window, session lifetime, password generation."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string
from collections.abc import Sequence

#: Failed sign-ins for one username within FAILURE_WINDOW that lock it.
FAILURE_LIMIT = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: How long a locked username is refused, counted from the failure that locked it.
LOCK_DURATION = dt.timedelta(minutes=15)
#: How long a session lasts from sign-in.
SESSION_LIFETIME = dt.timedelta(hours=8)
#: How far back failures matter: a lock can start at most one window plus one lock ago.
LOOKBACK = FAILURE_WINDOW + LOCK_DURATION
PASSWORD_LENGTH = 20
_ALPHABET = string.ascii_letters + string.digits


def locked_until(failures: Sequence[dt.datetime]) -> dt.datetime | None:
    """Return until when a username is locked given its recent failures (any order), or None."""
    ordered = sorted(failures)
    until: dt.datetime | None = None
    for first, fifth in zip(ordered, ordered[FAILURE_LIMIT - 1 :], strict=False):
        if fifth - first <= FAILURE_WINDOW:
            candidate = fifth + LOCK_DURATION
            until = candidate if until is None else max(until, candidate)
    return until


def new_password() -> str:
    """Return a random password of PASSWORD_LENGTH letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(PASSWORD_LENGTH))


def new_token() -> str:
    """Return a random opaque session id for the cookie."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return what is stored of a session id: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(token: str) -> str:
    """Return the form token of a session, derived from its secret id (never stored)."""
    return hashlib.sha256(b"csrf:" + token.encode()).hexdigest()


def csrf_matches(token: str, given: str) -> bool:
    """Whether a form's token is its session's, compared in constant time."""
    return hmac.compare_digest(csrf_token(token).encode(), given.encode())
