"""Tables of the registry."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime

NATIONAL = "*"
#: The cards the daily rules look at, each by its own partial index: active and unused (revoked
#: past the purchase deadline), and with a balance not yet expired (expired past its date).
UNUSED_CARD = "status = 'ACTIVE' AND first_purchase_on IS NULL"
_UNEXPIRED = "balance_expired_on IS NULL"


class CardStatus(StrEnum):
    """Where a card stands."""

    ACTIVE = "ACTIVE"
    """Issued and usable."""
    REVOKED = "REVOKED"
    """Revoked for no purchase by its deadline; its place went back to a later wave."""


class Outcome(StrEnum):
    """A registration's selection outcome."""

    SELECTED = "SELECTED"
    """Given a card."""
    NOT_SELECTED = "NOT_SELECTED"
    """Not given a card; the reason says why."""


class Wave(Base):
    """A wave (gelombang): a scheme, its registration period and, once selected, its draw."""

    __tablename__ = "waves"

    wave: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    scheme: Mapped[str] = mapped_column(String(40))
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    selected_on: Mapped[dt.date | None]
    selection_seed: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class WaveQuota(Base):
    """A wave's quota for one province (or `*` for one national quota)."""

    __tablename__ = "wave_quotas"
    __table_args__ = (
        CheckConstraint("quota >= 0", name="quota_not_negative"),
        CheckConstraint("added_places >= 0", name="added_places_not_negative"),
    )

    wave: Mapped[int] = mapped_column(ForeignKey("waves.wave"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    quota: Mapped[int] = mapped_column(Integer)
    added_places: Mapped[int] = mapped_column(Integer, default=0)
    """Places added by cards revoked before this wave was selected."""


class Registration(Base):
    """One registration (pendaftaran) for a wave, as the participant declared it."""

    __tablename__ = "registrations"
    # Registrations arrive by the million and each extra index slows every import;
    # selection reads a whole wave at once. A NIK's registrations are found by its index
    # (a card issued copies them into `holder_registrations`, which the integrity
    # signals look up by phone and birth date: only card holders' registrations count).
    __table_args__ = (
        UniqueConstraint("wave", "nik"),
        Index("ix_registrations_nik", "nik"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    wave: Mapped[int] = mapped_column(Integer)
    nik: Mapped[str] = mapped_column(String(16))
    kk_number: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None]
    gender: Mapped[str | None] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(String(20))
    regency_code: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    education: Mapped[str | None] = mapped_column(String(20))
    employment_status: Mapped[str | None] = mapped_column(String(30))
    monthly_income_idr: Mapped[int | None] = mapped_column(Rupiah)
    registered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)


class HolderRegistration(Base):
    """A registration of a NIK that holds a card, as registered: kept by triggers (migration 0017).

    The daily run's integrity signals look a changed group up by phone (as written) and
    by birth date, and only registrations of NIKs that hold a card count. Indexing
    those here, not on `registrations`, spares the millions of registrations that never
    lead to a card two index writes each at import (bench/README.md). Equality lookups
    only, so PostgreSQL keeps the two random keys in hash indexes.
    """

    __tablename__ = "holder_registrations"
    __table_args__ = (
        Index("ix_holder_registrations_nik", "nik"),
        Index("ix_holder_registrations_phone", "phone", postgresql_using="hash"),
        Index("ix_holder_registrations_birth_date", "birth_date", postgresql_using="hash"),
    )

    registration_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    nik: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(40))
    birth_date: Mapped[dt.date | None]
    registered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class SelectionResult(Base):
    """The outcome of one registration in its wave's selection, with its reason."""

    __tablename__ = "selection_results"
    __table_args__ = (Index("ix_selection_results_wave", "wave"),)

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id"), primary_key=True, autoincrement=False
    )
    wave: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(60))
    card_number: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[dt.date]


class Card(Base):
    """A Kartu Prakerja: one per NIK for life, with its training balance."""

    __tablename__ = "cards"
    __table_args__ = (
        CheckConstraint("balance_idr >= 0", name="balance_not_negative"),
        CheckConstraint("balance_idr <= initial_balance_idr", name="balance_within_initial"),
        CheckConstraint("status IN ('ACTIVE', 'REVOKED')", name="known_status"),
        Index("ix_cards_kk_number", "kk_number"),
        Index("ix_cards_wave", "wave"),
        Index(
            "ix_cards_unused_deadline",
            "purchase_deadline",
            sqlite_where=text(UNUSED_CARD),
            postgresql_where=text(UNUSED_CARD),
        ),
        Index(
            "ix_cards_unexpired_balance",
            "balance_expires_on",
            sqlite_where=text(_UNEXPIRED),
            postgresql_where=text(_UNEXPIRED),
        ),
    )

    card_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), unique=True)
    kk_number: Mapped[str] = mapped_column(String(16))
    wave: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str | None] = mapped_column(String(20))
    issued_on: Mapped[dt.date]
    purchase_deadline: Mapped[dt.date]
    balance_expires_on: Mapped[dt.date]
    initial_balance_idr: Mapped[int] = mapped_column(Rupiah)
    balance_idr: Mapped[int] = mapped_column(Rupiah)
    first_purchase_on: Mapped[dt.date | None]
    balance_expired_on: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(10), default=CardStatus.ACTIVE.value)
    revoked_on: Mapped[dt.date | None]
    quota_credited_wave: Mapped[int | None] = mapped_column(Integer)


class Exclusion(Base):
    """A person on a barring list (daftar hitam) from the first day of `period`."""

    __tablename__ = "exclusions"
    __table_args__ = (
        UniqueConstraint("nik", "list_code", "period"),
        Index("ix_exclusions_nik", "nik"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    list_code: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(7))
    effective_from: Mapped[dt.date]
    source: Mapped[str | None] = mapped_column(String(200))
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
