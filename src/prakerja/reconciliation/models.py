"""Tables of the reconciliation: runs, breaks and operators' resolutions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class ReconciliationRun(Base):
    """One reconciliation of a business day: when, by whom, and what it changed."""

    __tablename__ = "reconciliation_runs"
    __table_args__ = (Index("ix_reconciliation_runs_business_date", "business_date"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    business_date: Mapped[dt.date]
    mode: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    opened: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    open_after: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Break(Base):
    """A reconciliation break (selisih): one unexplained difference, under a stable id.

    `(break_type, break_key)` names the condition (an instruction, a partner
    transaction, an entitlement, a batch, an invoice line); `occurrence`
    counts how often it went bad: a resolved break never reopens, a new
    occurrence is a new break. The partial unique index keeps one open break
    per condition, whatever the code does.
    """

    __tablename__ = "breaks"
    __table_args__ = (
        UniqueConstraint("break_type", "break_key", "occurrence"),
        CheckConstraint("status IN ('OPEN', 'RESOLVED')", name="known_status"),
        CheckConstraint(
            "(status = 'OPEN') = (resolved_on IS NULL)", name="resolved_exactly_when_dated"
        ),
        Index(
            "uq_breaks_one_open_per_condition",
            "break_type",
            "break_key",
            unique=True,
            sqlite_where=text("status = 'OPEN'"),
            postgresql_where=text("status = 'OPEN'"),
        ),
        Index("ix_breaks_detected_on", "detected_on"),
        Index("ix_breaks_status", "status"),
        Index("ix_breaks_card_number", "card_number"),
    )

    break_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    break_type: Mapped[str] = mapped_column(String(30))
    break_key: Mapped[str] = mapped_column(String(200))
    occurrence: Mapped[int] = mapped_column(Integer)
    partner_code: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[str | None] = mapped_column(String(60))
    instruction_id: Mapped[str | None] = mapped_column(String(60))
    partner_txn_id: Mapped[str | None] = mapped_column(String(80))
    voucher_code: Mapped[str | None] = mapped_column(String(40))
    card_number: Mapped[str | None] = mapped_column(String(16))
    incentive_kind: Mapped[str | None] = mapped_column(String(20))
    tranche: Mapped[int | None] = mapped_column(Integer)
    expected_amount_idr: Mapped[int | None] = mapped_column(Rupiah)
    reported_amount_idr: Mapped[int | None] = mapped_column(Rupiah)
    wave: Mapped[int | None] = mapped_column(Integer)
    fact_on: Mapped[dt.date]
    """The day of the fact at fault (instruction sent, result processed): age counts from it."""
    reason: Mapped[str] = mapped_column(String(400))
    detected_on: Mapped[dt.date]
    resolved_on: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(10))
    resolution: Mapped[str | None] = mapped_column(String(10))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution_note: Mapped[str | None] = mapped_column(String(1000))
    still_holds: Mapped[bool] = mapped_column(Boolean)
    """Resolved by an operator while its condition holds: no new break opens until it clears."""


class BreakResolution(Base):
    """An operator's resolution of a break, kept so that a rebuild from scratch replays it."""

    __tablename__ = "break_resolutions"
    __table_args__ = (Index("ix_break_resolutions_resolved_on", "resolved_on"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    break_id: Mapped[str] = mapped_column(String(24))
    resolved_on: Mapped[dt.date]
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(1000))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
