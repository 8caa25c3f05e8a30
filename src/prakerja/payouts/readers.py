"""Narrow Arrow readers of the payout accounts, for set-based work in other domains."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.payouts.models import PayoutAccount
from prakerja.storage.arrow import fetch_arrow

ACCOUNT_LINK_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("partner_code", pa.string()),
        ("account_id", pa.string()),
        ("linked_on", pa.date32()),
    ]
)


def account_links(session: Session, *, as_of: dt.date | None = None) -> pa.Table:
    """Return every payout account link made by `as_of` (every link, not only the latest)."""
    query = select(
        PayoutAccount.card_number,
        PayoutAccount.partner_code,
        PayoutAccount.account_id,
        PayoutAccount.linked_on,
    )
    if as_of is not None:
        query = query.where(PayoutAccount.linked_on <= as_of)
    return fetch_arrow(session, query, ACCOUNT_LINK_SCHEMA)
