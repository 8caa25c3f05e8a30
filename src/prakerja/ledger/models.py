"""The ledger tables: the entries, and their daily totals per account the triggers keep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Connection, Index, Integer, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.ledger.totals import create_triggers
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


class LedgerDayTotal(Base):
    """What one account (or a per-party kind's bucket) was debited and credited on one day.

    Written only by the triggers on `ledger_entries` (see `ledger.totals`).
    """

    __tablename__ = "ledger_day_totals"

    account: Mapped[str] = mapped_column(String(80), primary_key=True)
    effective_on: Mapped[dt.date] = mapped_column(primary_key=True)
    debit_idr: Mapped[int] = mapped_column(Rupiah)
    credit_idr: Mapped[int] = mapped_column(Rupiah)


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(target: Any, connection: Connection, **kw: Any) -> None:
    """Give a schema made by `create_all` (not by the migrations) the totals' triggers too."""
    made = {table.name for table in kw.get("tables") or target.sorted_tables}
    if {"ledger_entries", "ledger_day_totals"} <= made:
        for statement in create_triggers(connection.dialect.name):
            connection.execute(text(statement))
