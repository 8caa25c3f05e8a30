"""Staff accounts: add and disable, sign in and out, sessions, page-started jobs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from prakerja.accounts import repository
from prakerja.accounts.models import (
    SignInFailure,
    StaffAccount,
    StaffFigures,
    StaffJob,
    StaffSession,
)
from prakerja.accounts.permissions import Role
from prakerja.accounts.rules import (
    LOOKBACK,
    SESSION_LIFETIME,
    locked_until,
    new_password,
    new_token,
    token_hash,
)
from prakerja.audit.service import current_actor, record
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import ConflictError, InputError, NotFoundError

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_PARTNER_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
#: Longest password looked at (argon2 itself takes any length; a page must not).
PASSWORD_LIMIT = 200


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash checked for unknown usernames, so that they take as long as known ones."""
    return _hasher().hash(new_password())


@dataclass(frozen=True)
class NewAccount:
    """An account just added, with its password (shown only this once)."""

    username: str
    role: Role
    password: str


def parse_role(text: str) -> Role:
    """Return the role a name gives, or fail with the roles there are."""
    try:
        return Role(text.strip().upper())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise InputError(f"unknown role {text!r}; the roles are {names}") from None


def add_account(
    session: Session,
    *,
    username: str,
    role: str,
    partner_code: str | None = None,
    actor: str | None = None,
) -> NewAccount:
    """Create an account with a random password; an existing username is a conflict."""
    chosen = parse_role(role)
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InputError("a username is 1-64 lowercase letters, digits, '.', '_' or '-'")
    if chosen is Role.PARTNER and not partner_code:
        raise InputError("a PARTNER account needs --partner CODE")
    if chosen is not Role.PARTNER and partner_code:
        raise InputError("only a PARTNER account has a partner code")
    if partner_code and not _PARTNER_CODE.fullmatch(partner_code):
        raise InputError("a partner code is 1-40 letters, digits, '_' or '-'")
    if repository.account_named(session, name) is not None:
        raise ConflictError(f"the username {name!r} is already taken")
    password = new_password()
    account = StaffAccount(
        username=name,
        role=chosen.value,
        partner_code=partner_code,
        password_hash=_hasher().hash(password),
        disabled=False,
        created_at=utc_now(),
    )
    session.add(account)
    session.flush()
    details = {"role": chosen.value} | ({"partner_code": partner_code} if partner_code else {})
    record(
        session,
        action="account.added",
        subject_type="staff_account",
        subject_id=name,
        details=details,
        actor=actor or current_actor(),
    )
    return NewAccount(username=name, role=chosen, password=password)


def disable_account(session: Session, *, username: str, actor: str | None = None) -> int:
    """Disable an account and end its open sessions; return how many sessions ended."""
    account = repository.account_named(session, username.strip().lower())
    if account is None:
        raise NotFoundError(f"unknown username {username!r}")
    account.disabled = True
    account.disabled_at = account.disabled_at or utc_now()
    ended = repository.end_sessions(session, account.id)
    record(
        session,
        action="account.disabled",
        subject_type="staff_account",
        subject_id=account.username,
        details={"sessions_ended": ended},
        actor=actor or current_actor(),
    )
    return ended


def list_accounts(session: Session) -> list[StaffAccount]:
    """Return every staff account, by username."""
    return repository.all_accounts(session)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session id for the cookie, or why there is none."""

    token: str | None
    refused: str | None  # "locked" or "wrong"


def sign_in(
    session: Session, *, username: str, password: str, now: dt.datetime | None = None
) -> SignIn:
    """Check a username and password; open a session, or record the failure (caller commits)."""
    at = now or utc_now()
    name = username.strip().lower()[:64]
    until = locked_until(repository.failures_since(session, name, at - LOOKBACK))
    if until is not None and at < until:
        return SignIn(token=None, refused="locked")
    account = repository.account_named(session, name)
    fits = _password_fits(account, password)
    if account is None or account.disabled or not fits:
        session.add(SignInFailure(username=name, failed_at=at))
        return SignIn(token=None, refused="wrong")
    repository.forget_old(session, username=name, account_id=account.id, before=at - LOOKBACK)
    token = new_token()
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            account_id=account.id,
            created_at=at,
            expires_at=at + SESSION_LIFETIME,
        )
    )
    record(
        session,
        action="account.signed_in",
        subject_type="staff_account",
        subject_id=name,
        actor=name,
    )
    return SignIn(token=token, refused=None)


def _password_fits(account: StaffAccount | None, password: str) -> bool:
    if len(password) > PASSWORD_LIMIT:
        return False
    try:
        return _hasher().verify(account.password_hash if account else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False


def signed_in(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> StaffAccount | None:
    """Return the enabled account of a live session id, or None."""
    if not token or len(token) > 100:
        return None
    found = repository.session_account(session, token_hash(token), now or utc_now())
    return None if found is None else found[1]


def sign_out(session: Session, token: str) -> None:
    """End one session."""
    repository.end_session(session, token_hash(token))


def start_job(session: Session, *, kind: str, day: dt.date, actor: str) -> StaffJob:
    """Record a job about to run in the background, so every worker can show its progress."""
    job = StaffJob(kind=kind, business_date=day, actor=actor, state="RUNNING", started_at=utc_now())
    session.add(job)
    session.flush()
    return job


def job(session: Session, job_id: int) -> StaffJob | None:
    """Return one job, or None."""
    return session.get(StaffJob, job_id)


def recent_jobs(session: Session, *, kind: str, limit: int = 20) -> list[StaffJob]:
    """Return the latest jobs of a kind, newest first."""
    return repository.recent_jobs(session, kind, limit)


def job_progress(
    session: Session, job_id: int, *, step: str | None = None, done: int = 0, total: int = 0
) -> None:
    """Record how far a job has come (its own short transaction, seen by every worker)."""
    found = session.get(StaffJob, job_id)
    if found is not None:
        found.step = (step or found.step)[:100]
        found.done, found.total = done, total


def finish_job(
    session: Session,
    job_id: int,
    *,
    failed: bool,
    message: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Mark a job done (with what it found) or failed (with its one-line reason)."""
    found = session.get(StaffJob, job_id)
    if found is not None:
        found.state = "FAILED" if failed else "DONE"
        found.message = message[:500]
        found.details = details or {}
        found.finished_at = utc_now()


def cached_figures(session: Session, *, day: dt.date, marker: str) -> dict[str, Any] | None:
    """Return a day's overview figures if they were computed for this state of the records."""
    kept = session.get(StaffFigures, day)
    return dict(kept.figures) if kept is not None and kept.marker == marker else None


def keep_figures(session: Session, *, day: dt.date, marker: str, figures: dict[str, Any]) -> None:
    """Keep a day's overview figures for the state `marker` names (replacing older ones)."""
    kept = session.get(StaffFigures, day)
    if kept is None:
        session.add(
            StaffFigures(business_date=day, marker=marker, figures=figures, computed_at=utc_now())
        )
    else:
        kept.marker, kept.figures, kept.computed_at = marker, figures, utc_now()
