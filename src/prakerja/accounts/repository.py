"""Statements of the staff accounts domain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from prakerja.accounts.models import SignInFailure, StaffAccount, StaffJob, StaffSession


def account_named(session: Session, username: str) -> StaffAccount | None:
    """Return the account of a username, or None."""
    return session.scalars(select(StaffAccount).where(StaffAccount.username == username)).first()


def all_accounts(session: Session) -> list[StaffAccount]:
    """Return every account, by username."""
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.username)))


def failures_since(session: Session, username: str, since: dt.datetime) -> list[dt.datetime]:
    """Return when a username failed to sign in since an instant."""
    return list(
        session.scalars(
            select(SignInFailure.failed_at).where(
                SignInFailure.username == username, SignInFailure.failed_at >= since
            )
        )
    )


def session_account(
    session: Session, token_hash: str, now: dt.datetime
) -> tuple[StaffSession, StaffAccount] | None:
    """Return a live session and its enabled account by the stored hash, or None."""
    row = session.execute(
        select(StaffSession, StaffAccount)
        .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
        .where(
            StaffSession.token_hash == token_hash,
            StaffSession.expires_at > now,
            StaffAccount.disabled.is_(False),
        )
    ).first()
    return None if row is None else (row[0], row[1])


def end_sessions(session: Session, account_id: int) -> int:
    """Delete every session of an account; return how many."""
    result = session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end_session(session: Session, token_hash: str) -> None:
    """Delete one session."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))


def recent_jobs(session: Session, kind: str, limit: int) -> list[StaffJob]:
    """Return the latest jobs of a kind, newest first."""
    return list(
        session.scalars(
            select(StaffJob).where(StaffJob.kind == kind).order_by(StaffJob.id.desc()).limit(limit)
        )
    )


def forget_old(session: Session, *, username: str, account_id: int, before: dt.datetime) -> None:
    """Delete a username's failures and an account's sessions that no longer matter."""
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.username == username, SignInFailure.failed_at < before
        )
    )
    session.execute(
        delete(StaffSession).where(
            StaffSession.account_id == account_id, StaffSession.expires_at < before
        )
    )
