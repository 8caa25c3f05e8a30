"""Statements that read the movements of one ledger account, by its indexed columns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from prakerja.ledger.models import LedgerEntry


@dataclass(frozen=True)
class AccountMovement:
    """One movement into (positive) or out of (negative) an account."""

    effective_on: dt.date
    entry_kind: str
    amount_idr: int
    counter_account: str
    reference: str


def account_movements(session: Session, *, account_name: str) -> list[AccountMovement]:
    """Return an account's movements in the order they were recorded."""
    into = select(
        LedgerEntry.id,
        LedgerEntry.effective_on,
        LedgerEntry.entry_kind,
        LedgerEntry.amount_idr,
        LedgerEntry.credit_account.label("counter"),
        LedgerEntry.reference,
    ).where(LedgerEntry.debit_account == account_name)
    out = select(
        LedgerEntry.id,
        LedgerEntry.effective_on,
        LedgerEntry.entry_kind,
        -LedgerEntry.amount_idr,
        LedgerEntry.debit_account.label("counter"),
        LedgerEntry.reference,
    ).where(LedgerEntry.credit_account == account_name)
    both = union_all(into, out).subquery()
    rows = session.execute(select(both).order_by(both.c.effective_on, both.c.id))
    return [AccountMovement(*row[1:]) for row in rows]
