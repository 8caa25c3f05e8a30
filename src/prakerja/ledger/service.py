"""Post movements to the ledger and read balances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from prakerja.kit.clock import utc_now
from prakerja.ledger.accounts import AccountKind
from prakerja.ledger.models import LedgerDayTotal, LedgerEntry
from prakerja.ledger.totals import per_party
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


def _entry_balance(session: Session, *, account_name: str, as_of: dt.date | None) -> int:
    """Return one account's balance from its entries, by the indexed account columns."""

    def side(column: InstrumentedAttribute[str]) -> int:
        query = select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0)).where(
            column == account_name
        )
        if as_of is not None:
            query = query.where(LedgerEntry.effective_on <= as_of)
        return int(session.scalar(query) or 0)

    return side(LedgerEntry.debit_account) - side(LedgerEntry.credit_account)


def _bucket_balances(
    session: Session, *, as_of: dt.date | None, only: ColumnElement[bool] | None = None
) -> dict[str, int]:
    """Return each totals bucket's balance (debits - credits) at the end of `as_of` (or ever)."""
    query = select(
        LedgerDayTotal.account,
        func.sum(LedgerDayTotal.debit_idr) - func.sum(LedgerDayTotal.credit_idr),
    ).group_by(LedgerDayTotal.account)
    if as_of is not None:
        query = query.where(LedgerDayTotal.effective_on <= as_of)
    if only is not None:
        query = query.where(only)
    return {str(name): int(amount) for name, amount in session.execute(query)}


def _of_kind(kind: AccountKind) -> ColumnElement[bool]:
    """Select the totals rows of one kind: `KIND`, and `KIND:party` or its bucket `KIND:*`."""
    prefix = f"{kind.value}:"
    return or_(
        LedgerDayTotal.account == kind.value,
        func.substr(LedgerDayTotal.account, 1, len(prefix)) == prefix,
    )


def _kind_of(name: str) -> str:
    return name.split(":", 1)[0]


def balance(session: Session, *, account_name: str) -> int:
    """Return an account's balance: what flowed in (debits) minus what flowed out (credits)."""
    return _account_balance(session, account_name=account_name, as_of=None)


def _account_balance(session: Session, *, account_name: str, as_of: dt.date | None) -> int:
    if per_party(account_name):
        return _entry_balance(session, account_name=account_name, as_of=as_of)
    only = LedgerDayTotal.account == account_name
    return _bucket_balances(session, as_of=as_of, only=only).get(account_name, 0)


def balances_by_kind(session: Session) -> dict[str, int]:
    """Return the total balance of each account kind (the part before `:`); sums to zero."""
    totals: dict[str, int] = {}
    for name, amount in _bucket_balances(session, as_of=None).items():
        kind = _kind_of(name)
        totals[kind] = totals.get(kind, 0) + amount
    return totals


def posted_total(session: Session, *, entry_kind: str) -> int:
    """Return the total amount ever posted with one entry kind."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0)).where(
            LedgerEntry.entry_kind == entry_kind
        )
    )
    return int(total or 0)


def account_balance_on(session: Session, *, account_name: str, as_of: dt.date) -> int:
    """Return one account's balance at the end of `as_of` (entries effective by then).

    A program-level account is read from the daily totals (one row a day); a
    per-party account (one card's, one claim's) from its own entries.
    """
    return _account_balance(session, account_name=account_name, as_of=as_of)


def kind_balances_on(
    session: Session, *, kinds: Sequence[AccountKind], as_of: dt.date
) -> dict[AccountKind, int]:
    """Return the balance of each account kind at the end of `as_of`, from the daily totals."""
    balances = dict.fromkeys(kinds, 0)
    if not kinds:
        return balances
    by_name = {kind.value: kind for kind in kinds}
    only = or_(*(_of_kind(kind) for kind in kinds))
    for name, amount in _bucket_balances(session, as_of=as_of, only=only).items():
        kind = by_name.get(_kind_of(name))
        if kind is not None:
            balances[kind] += amount
    return balances
