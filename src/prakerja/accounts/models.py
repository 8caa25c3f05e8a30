"""Tables of the staff accounts: accounts, sessions, failed sign-ins, jobs, overview figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, UtcDateTime


class StaffAccount(Base):
    """One member of staff (or a partner's user) who signs in to the pages."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    partner_code: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class StaffSession(Base):
    """A signed-in browser: the SHA-256 of the cookie's random id, never the id itself."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SignInFailure(Base):
    """One failed sign-in for a username (known or not), for the lock-out rule."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_username_failed_at", "username", "failed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class StaffJob(Base):
    """Work started from a page (a reconciliation run) and its progress, seen by every worker."""

    __tablename__ = "staff_jobs"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    business_date: Mapped[dt.date]
    actor: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10))
    step: Mapped[str] = mapped_column(String(100), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class StaffFigures(Base):
    """The overview's whole-program figures of a day, kept until the records change.

    Counting millions of rows on every view would not answer in time, so each
    day's figures are computed once per `marker` (the latest import, selection,
    reconciliation run and resolution) and shared by every worker.
    """

    __tablename__ = "staff_figures"

    business_date: Mapped[dt.date] = mapped_column(primary_key=True)
    marker: Mapped[str] = mapped_column(String(200))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
