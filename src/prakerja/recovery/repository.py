"""The recovery's statements: claims in and out of the database, as Arrow."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.recovery.models import RecoveryClaim
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows

CLAIMS = pa.schema(
    [
        ("claim_id", pa.string()),
        ("break_id", pa.string()),
        ("partner_code", pa.string()),
        ("partner_txn_id", pa.string()),
        ("instruction_id", pa.string()),
        ("card_number", pa.string()),
        ("nik", pa.string()),
        ("amount_idr", pa.int64()),
        ("opened_on", pa.date32()),
        ("due_on", pa.date32()),
    ]
)
CLAIM_KEYS = pa.schema(
    [("break_id", pa.string()), ("partner_code", pa.string()), ("partner_txn_id", pa.string())]
)


def claim_keys(session: Session) -> pa.Table:
    """Return what identifies every stored claim: its break and its payment."""
    query = select(RecoveryClaim.break_id, RecoveryClaim.partner_code, RecoveryClaim.partner_txn_id)
    return fetch_arrow(session, query, CLAIM_KEYS)


def read_claims(session: Session, *, card_number: str | None = None) -> pa.Table:
    """Return every stored claim (of one card), as CLAIMS."""
    query = select(*(getattr(RecoveryClaim, name) for name in CLAIMS.names))
    if card_number is not None:
        query = query.where(RecoveryClaim.card_number == card_number)
    return fetch_arrow(session, query, CLAIMS)


def insert_claims(session: Session, claims: pa.Table) -> int:
    """Insert new claims (CLAIMS plus `created_at`); one already stored is skipped."""
    return insert_new_rows(session, table_of(RecoveryClaim), claims, key=("claim_id",))
