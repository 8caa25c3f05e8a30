"""The recovery table: one claim per ineligible payment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class RecoveryClaim(Base):
    """A claim to recover an ineligible payment from its participant (append-only).

    One per INELIGIBLE_PAYMENT break (`break_id` unique) and one per payment
    (`partner_code`, `partner_txn_id` unique), whatever the code does.
    """

    __tablename__ = "recovery_claims"
    __table_args__ = (
        UniqueConstraint("break_id"),
        UniqueConstraint("partner_code", "partner_txn_id"),
        CheckConstraint("amount_idr > 0", name="positive_amount"),
        CheckConstraint("due_on > opened_on", name="due_after_opened"),
        Index("ix_recovery_claims_card_number", "card_number"),
        Index("ix_recovery_claims_opened_on", "opened_on"),
    )

    claim_id: Mapped[str] = mapped_column(String(35), primary_key=True)
    break_id: Mapped[str] = mapped_column(String(24))
    partner_code: Mapped[str] = mapped_column(String(40))
    partner_txn_id: Mapped[str] = mapped_column(String(80))
    instruction_id: Mapped[str] = mapped_column(String(60))
    card_number: Mapped[str] = mapped_column(String(16))
    nik: Mapped[str] = mapped_column(String(16))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    opened_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
