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
    scoped: Mapped[bool | None] = mapped_column(Boolean)
    """A daily run that read only the keys changed since the previous run (None: before 0013)."""
    cards_read: Mapped[int | None] = mapped_column(Integer)
    """How many cards' facts a scoped run read (None: a full run read them all)."""


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
        Index("ix_breaks_partner_code", "partner_code"),
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


class ReconciliationChange(Base):
    """A fact written since a run read the queue: the keys it touches, and from which day.

    Filled by database triggers on the fact tables (migration 0013), in the
    same transaction as the fact, so a row is visible exactly when its fact
    is. A daily run reads the rows due by its day (`on_day` NULL or on or
    before it) first, reconciles the keys they name, and deletes exactly the
    rows it read; a row committed while it ran stays for the next run.
    """

    __tablename__ = "reconciliation_changes"
    __table_args__ = (Index("ix_reconciliation_changes_on_day", "on_day"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    on_day: Mapped[dt.date | None]
    """The day the change counts from (the fact's own date); NULL: at once."""
    card_number: Mapped[str | None] = mapped_column(String(16))
    batch_id: Mapped[str | None] = mapped_column(String(60))
    voucher_code: Mapped[str | None] = mapped_column(String(40))
    nik: Mapped[str | None] = mapped_column(String(16))
    partner_code: Mapped[str | None] = mapped_column(String(40))
    instruction_id: Mapped[str | None] = mapped_column(String(60))
    partner_txn_id: Mapped[str | None] = mapped_column(String(80))
    course_code: Mapped[str | None] = mapped_column(String(40))


class TimeRuleChange(Base):
    """A card's queue row the daily run consumed, kept until the day's time rules read it.

    A daily run moves the card rows it deletes from `reconciliation_changes`
    here in the same statement set, so a change the time rules did not see
    yet (one committed after they read the queue, or a run without them) is
    never lost; the time rules delete exactly the rows they read.
    """

    __tablename__ = "time_rule_changes"
    __table_args__ = (Index("ix_time_rule_changes_on_day", "on_day"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    on_day: Mapped[dt.date | None]
    """The day the change counts from; NULL: at once."""
    card_number: Mapped[str] = mapped_column(String(16))


class GapCard(Base):
    """Where one participant with a completed first training stood at the latest run.

    The full run writes every such participant; a scoped run rewrites the
    cards it read; the gap report is one GROUP BY over this table.
    """

    __tablename__ = "reconciliation_gap_cards"

    card_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    stage: Mapped[str] = mapped_column(String(30))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
