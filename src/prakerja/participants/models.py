"""Tables of the participants' own door: one-time codes, sessions, grievances."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, UtcDateTime


class SignInCode(Base):
    """A one-time code asked for a NIK: only its keyed hash is kept.

    `serial` numbers the codes of one NIK (1, 2, ...): the unique (nik, serial)
    makes two concurrent requests unable to both take the same place, and the
    sending limit compares a new code with the one three places before it.
    `delivered` is false for a NIK with no phone on file (nothing was sent, and
    its hash matches no code): such requests are stored all the same, so that
    a registered NIK and an unknown one take the same path.
    """

    __tablename__ = "sign_in_codes"
    __table_args__ = (
        UniqueConstraint("nik", "serial"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    serial: Mapped[int] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(String(64))
    delivered: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ParticipantSession(Base):
    """A participant signed in: the cookie holds a random id, the table only its hash."""

    __tablename__ = "participant_sessions"
    __table_args__ = (Index("ix_participant_sessions_nik", "nik"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Grievance(Base):
    """A participant's grievance (pengaduan); one per NIK, category, instruction and day."""

    __tablename__ = "grievances"
    __table_args__ = (
        UniqueConstraint("nik", "category", "instruction_key", "opened_on"),
        CheckConstraint(
            "category IN ('NOT_RECEIVED', 'WRONG_AMOUNT', 'OTHER')", name="known_category"
        ),
        CheckConstraint("status IN ('OPEN', 'RESOLVED')", name="known_status"),
        CheckConstraint(
            "(status = 'OPEN') = (resolved_on IS NULL)", name="resolved_exactly_when_dated"
        ),
        Index("ix_grievances_instruction_id", "instruction_id"),
        Index("ix_grievances_opened_on", "opened_on"),
    )

    grievance_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    card_number: Mapped[str | None] = mapped_column(String(16))
    instruction_id: Mapped[str | None] = mapped_column(String(60))
    instruction_key: Mapped[str] = mapped_column(String(60))
    """The instruction id, or '' for none: a key column that is never null."""
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    opened_on: Mapped[dt.date]
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10))
    resolved_on: Mapped[dt.date | None]
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution_reason: Mapped[str | None] = mapped_column(String(1000))
