"""Post movements to the ledger and read balances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, case, func, or_, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from prakerja.kit.clock import utc_now
from prakerja.ledger.accounts import AccountKind
from prakerja.ledger.models import LedgerEntry
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows

#: The head of an INSERT of ledger movements written as SQL, for set-based steps that
#: compute their movements inside the database (`INSERT ... SELECT`); everything else
#: posts with `post_movements`.
LEDGER_INSERT = """
INSERT INTO ledger_entries (
    idempotency_key, entry_kind, debit_account, credit_account,
    amount_idr, effective_on, reference, created_at
)
"""


def post_movements(
    session: Session,
    *,
    keys: pa.Array | pa.ChunkedArray,
    kind: pa.Array | pa.ChunkedArray | str,
    debit: pa.Array | pa.ChunkedArray | str,
    credit: pa.Array | pa.ChunkedArray | str,
    amounts: pa.Array | pa.ChunkedArray,
    day: pa.Array | pa.ChunkedArray | dt.date,
    references: pa.Array | pa.ChunkedArray,
) -> int:
    """Post one movement per row, `amounts` from `credit` to `debit` (scalars repeat).

    The one way every domain records money moving: each movement is keyed by
    its idempotency key, and a key posted before is ignored; returns how many
    movements are new.
    """
    count = len(keys)
    if count == 0:
        return 0

    def column(value: pa.Array | pa.ChunkedArray | str | dt.date, kind: pa.DataType) -> Any:
        if isinstance(value, pa.Array | pa.ChunkedArray):
            return value
        return pa.array([value] * count, kind)

    movements = pa.table(
        {
            "idempotency_key": keys,
            "entry_kind": column(kind, pa.string()),
            "debit_account": column(debit, pa.string()),
            "credit_account": column(credit, pa.string()),
            "amount_idr": pc.cast(amounts, pa.int64()),
            "effective_on": column(day, pa.date32()),
            "reference": references,
            "created_at": pa.array([utc_now()] * count, pa.timestamp("us", tz="UTC")),
        }
    )
    return insert_new_rows(session, table_of(LedgerEntry), movements, key=("idempotency_key",))


def balance(session: Session, *, account_name: str) -> int:
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


def posted_total(session: Session, *, entry_kind: str) -> int:
    """Return the total amount ever posted with one entry kind."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0)).where(
            LedgerEntry.entry_kind == entry_kind
        )
    )
    return int(total or 0)


def _kind_balance(kind: AccountKind) -> ColumnElement[int]:
    """Return the summed balance (debits - credits) of every account of a kind."""
    name = kind.value

    def moved(side: InstrumentedAttribute[str]) -> ColumnElement[int]:
        of_kind = or_(side == name, side.like(f"{name}:%"))
        return case((of_kind, LedgerEntry.amount_idr), else_=0)

    return func.coalesce(
        func.sum(moved(LedgerEntry.debit_account) - moved(LedgerEntry.credit_account)), 0
    )


def account_balance_on(session: Session, *, account_name: str, as_of: dt.date) -> int:
    """Return one account's balance at the end of `as_of` (entries effective by then)."""
    flows = select(
        func.coalesce(
            func.sum(
                case((LedgerEntry.debit_account == account_name, LedgerEntry.amount_idr), else_=0)
                - case(
                    (LedgerEntry.credit_account == account_name, LedgerEntry.amount_idr), else_=0
                )
            ),
            0,
        )
    ).where(LedgerEntry.effective_on <= as_of)
    return int(session.scalar(flows) or 0)


def kind_balances_on(
    session: Session, *, kinds: Sequence[AccountKind], as_of: dt.date
) -> dict[AccountKind, int]:
    """Return the balance of each account kind at the end of `as_of` (entries effective by then)."""
    row = session.execute(
        select(*(_kind_balance(kind) for kind in kinds)).where(LedgerEntry.effective_on <= as_of)
    ).one()
    return {kind: int(value) for kind, value in zip(kinds, row, strict=True)}
