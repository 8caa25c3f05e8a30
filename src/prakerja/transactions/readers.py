"""Narrow Arrow readers of the marketplace's vouchers, for set-based work in other domains."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.scope import fetch_staged
from prakerja.transactions.models import Voucher

_INSTANT = pa.timestamp("us", tz="UTC")
VOUCHER_FACT_SCHEMA = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("card_number", pa.string()),
        ("course_code", pa.string()),
        ("purchased_at", _INSTANT),
        ("purchased_on", pa.date32()),
        ("completed_at", _INSTANT),
        ("completed_on", pa.date32()),
        ("refunded_on", pa.date32()),
    ]
)


def voucher_facts(
    session: Session, *, as_of: dt.date | None = None, codes: pa.Array | None = None
) -> pa.Table:
    """Return every voucher purchased by `as_of` with its purchase, completion and refund.

    The completion and the refund are as stored; the caller compares their
    days with its own date (a later one reads as not yet happened). With
    `codes`, only those vouchers (by index).
    """
    query = select(
        Voucher.voucher_code,
        Voucher.card_number,
        Voucher.course_code,
        Voucher.purchased_at,
        Voucher.purchased_on,
        Voucher.completed_at,
        Voucher.completed_on,
        Voucher.refunded_on,
    )
    if as_of is not None:
        query = query.where(Voucher.purchased_on <= as_of)
    if codes is not None:
        return fetch_staged(session, query, Voucher.voucher_code, codes, VOUCHER_FACT_SCHEMA)
    return fetch_arrow(session, query, VOUCHER_FACT_SCHEMA)
