"""Tables of the partner API: tokens (as hashes), uploads received, disputes of breaks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, UtcDateTime


class PartnerToken(Base):
    """A partner's one active API token: only its SHA-256 is kept, with the kinds it may send.

    One row per partner: issuing again replaces the hash, so the old token
    stops at once.
    """

    __tablename__ = "partner_tokens"

    partner_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kinds: Mapped[str] = mapped_column(String(400))
    """The import kinds the token may send, comma-separated."""
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(100))


class PartnerUpload(Base):
    """A file a partner sent over HTTP: where it is kept and what its import answered."""

    __tablename__ = "partner_uploads"
    __table_args__ = (Index("ix_partner_uploads_partner_code", "partner_code", "received_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    partner_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(200))
    """The name the partner gave the file (made safe), which decides CSV, JSON Lines or XML."""
    stored_path: Mapped[str] = mapped_column(String(1000))
    """Where the file is kept; its rejects are beside it (`FILE.rejects.csv`)."""
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
    """The import run that loaded it; null when the file was unusable as a whole."""
    refused_reason: Mapped[str | None] = mapped_column(String(500))
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)


class BreakDispute(Base):
    """A partner's dispute of one of its breaks; the break itself stays as it is."""

    __tablename__ = "break_disputes"
    __table_args__ = (Index("ix_break_disputes_break_id", "break_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    break_id: Mapped[str] = mapped_column(String(24))
    partner_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(1000))
    disputed_on: Mapped[dt.date]
    """The partner's calendar day (Asia/Jakarta) when the dispute arrived."""
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
