"""Tables of the training marketplace's transactions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class EventType(StrEnum):
    """Kinds of platform event."""

    PURCHASE = "PURCHASE"
    """A course bought from the training balance; creates the voucher."""
    ATTENDANCE = "ATTENDANCE"
    """A session attended (its `sequence`)."""
    COMPLETION = "COMPLETION"
    """The course completed, with a certificate."""
    REVIEW = "REVIEW"
    """The course rated 1-5."""
    REFUND = "REFUND"
    """The purchase refunded; the balance is restored and the voucher never payable."""


class EventState(StrEnum):
    """Where a received platform event stands."""

    PENDING = "PENDING"
    """Valid, waiting for what it needs (its purchase, its attendance)."""
    APPLIED = "APPLIED"
    """Applied to its voucher."""
    REJECTED = "REJECTED"
    """Refused by a rule; the reason says which."""


class AttendanceSource(StrEnum):
    """Who told the program that a session was attended."""

    PLATFORM = "PLATFORM"
    """The platform's ATTENDANCE event."""
    PROVIDER = "PROVIDER"
    """The training provider's redeem-code commit."""


class PlatformEvent(Base):
    """Every platform event received, keyed by (platform, event_id), with its state."""

    __tablename__ = "platform_events"
    __table_args__ = (
        UniqueConstraint("platform_code", "event_id"),
        Index(
            "ix_platform_events_pending",
            "voucher_code",
            sqlite_where=text("state = 'PENDING'"),
            postgresql_where=text("state = 'PENDING'"),
        ),
        Index(
            "ix_platform_events_refused_purchase",
            "voucher_code",
            sqlite_where=text("state = 'REJECTED' AND event_type = 'PURCHASE'"),
            postgresql_where=text("state = 'REJECTED' AND event_type = 'PURCHASE'"),
        ),
        CheckConstraint("state IN ('PENDING', 'APPLIED', 'REJECTED')", name="known_state"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform_code: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(80))
    event_type: Mapped[str] = mapped_column(String(12))
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    occurred_on: Mapped[dt.date]
    """The program's (Asia/Jakarta) calendar day of `occurred_at`."""
    card_number: Mapped[str] = mapped_column(String(16))
    course_code: Mapped[str | None] = mapped_column(String(40))
    voucher_code: Mapped[str] = mapped_column(String(40))
    amount_idr: Mapped[int | None] = mapped_column(Rupiah)
    sequence: Mapped[int | None] = mapped_column(Integer)
    certificate_no: Mapped[str | None] = mapped_column(String(80))
    rating: Mapped[int | None] = mapped_column(Integer)
    review_text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))
    state_reason: Mapped[str | None] = mapped_column(String(200))
    state_column: Mapped[str | None] = mapped_column(String(40))
    """The column a REJECTED event was refused for (empty when the whole row)."""
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
    source_line: Mapped[int | None] = mapped_column(Integer)
    raw_row: Mapped[str | None] = mapped_column(Text)
    """While PENDING: the row as it came (JSON), to report it if it is refused later."""


class Voucher(Base):
    """A purchase: the voucher (redeem code) that ties all events of one bought course."""

    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("amount_idr > 0", name="positive_amount"),
        Index("ix_vouchers_card_number", "card_number"),
    )

    voucher_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16))
    course_code: Mapped[str] = mapped_column(String(40))
    platform_code: Mapped[str] = mapped_column(String(40))
    purchase_event_id: Mapped[int] = mapped_column(ForeignKey("platform_events.id"), unique=True)
    purchased_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    purchased_on: Mapped[dt.date]
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    """When the training provider committed sequence 1 (redeemed the code)."""
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    completed_on: Mapped[dt.date | None]
    certificate_no: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reviewed_on: Mapped[dt.date | None]
    rating: Mapped[int | None] = mapped_column(Integer)
    refunded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    refunded_on: Mapped[dt.date | None]


class Attendance(Base):
    """A session of a voucher known attended, once per source."""

    __tablename__ = "attendances"
    __table_args__ = (CheckConstraint("sequence >= 1", name="sequence_from_one"),)

    voucher_code: Mapped[str] = mapped_column(ForeignKey("vouchers.voucher_code"), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class InvoiceLine(Base):
    """One voucher claimed on a platform's invoice, with whether it is payable and why not."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("platform_code", "invoice_no", "voucher_code"),
        Index("ix_invoice_lines_voucher_code", "voucher_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform_code: Mapped[str] = mapped_column(String(40))
    invoice_no: Mapped[str] = mapped_column(String(60))
    voucher_code: Mapped[str] = mapped_column(String(40))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    invoiced_on: Mapped[dt.date]
    payable: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(60))
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
    source_line: Mapped[int | None] = mapped_column(Integer)
