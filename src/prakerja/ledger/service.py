"""Post movements to the ledger and read balances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from prakerja.kit.clock import utc_now
from prakerja.ledger.models import LedgerEntry
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows


@dataclass(frozen=True)
class Movement:
    """A movement to record: `amount_idr` from `credit_account` to `debit_account`."""

    idempotency_key: str
    entry_kind: str
    debit_account: str
    credit_account: str
    amount_idr: int
    effective_on: dt.date
    reference: str


def post(session: Session, movements: Sequence[Movement]) -> int:
    """Record movements once each (a repeated idempotency key is ignored); return how many new."""
    rows = [m for m in movements if m.amount_idr > 0]
    if not rows:
        return 0
    now = utc_now()
    table = pa.table(
        {
            "idempotency_key": [m.idempotency_key for m in rows],
            "entry_kind": [m.entry_kind for m in rows],
            "debit_account": [m.debit_account for m in rows],
            "credit_account": [m.credit_account for m in rows],
            "amount_idr": pa.array([m.amount_idr for m in rows], pa.int64()),
            "effective_on": pa.array([m.effective_on for m in rows], pa.date32()),
            "reference": [m.reference for m in rows],
            "created_at": pa.array([now] * len(rows), pa.timestamp("us", tz="UTC")),
        }
    )
    return post_table(session, table)


def post_table(session: Session, movements: pa.Table) -> int:
    """Record a whole Arrow table of movements (columns as `Movement`, plus `created_at`)."""
    if "created_at" not in movements.column_names:
        now = pa.array([utc_now()] * movements.num_rows, pa.timestamp("us", tz="UTC"))
        movements = movements.append_column("created_at", now)
    return insert_new_rows(
        session,
        table_of(LedgerEntry),
        movements,
        key=("idempotency_key",),
    )


def balance(session: Session, account_name: str) -> int:
    """Return an account's balance: what flowed in (debits) minus what flowed out (credits)."""
    debits = select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0)).where(
        LedgerEntry.debit_account == account_name
    )
    credits = select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0)).where(
        LedgerEntry.credit_account == account_name
    )
    return int(session.scalar(debits) or 0) - int(session.scalar(credits) or 0)


def balances_by_kind(session: Session) -> dict[str, int]:
    """Return the total balance of each account kind (the part before `:`); sums to zero."""
    flows = union_all(
        select(LedgerEntry.debit_account.label("account"), LedgerEntry.amount_idr.label("amount")),
        select(
            LedgerEntry.credit_account.label("account"), (-LedgerEntry.amount_idr).label("amount")
        ),
    ).subquery()
    rows = session.execute(
        select(flows.c.account, func.sum(flows.c.amount)).group_by(flows.c.account)
    )
    totals: dict[str, int] = {}
    for name, amount in rows:
        kind = str(name).split(":", 1)[0]
        totals[kind] = totals.get(kind, 0) + int(amount)
    return totals
