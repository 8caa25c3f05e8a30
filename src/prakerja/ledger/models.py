"""The ledger table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class LedgerEntry(Base):
    """One movement of `amount_idr` from `credit_account` to `debit_account` (append-only)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_idr > 0", name="positive_amount"),
        CheckConstraint("debit_account <> credit_account", name="two_accounts"),
        Index("ix_ledger_entries_debit", "debit_account"),
        Index("ix_ledger_entries_credit", "credit_account"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    entry_kind: Mapped[str] = mapped_column(String(40))
    debit_account: Mapped[str] = mapped_column(String(80))
    credit_account: Mapped[str] = mapped_column(String(80))
    amount_idr: Mapped[int] = mapped_column(Rupiah)
    effective_on: Mapped[dt.date]
    reference: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
