"""Questions other domains ask of the training transactions."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from prakerja.storage.arrow import fetch_arrow
from prakerja.transactions.models import Voucher

FIRST_TRAINING_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("voucher_code", pa.string()),
        ("course_code", pa.string()),
        ("purchased_on", pa.date32()),
        ("completed_on", pa.date32()),
        ("reviewed_on", pa.date32()),
    ]
)


def first_trainings(session: Session, *, as_of: dt.date | None = None) -> pa.Table:
    """Return each card's first training as known on `as_of` (default: everything known).

    A card's first training is its earliest purchase (by `occurred_at`, then
    voucher code) that is not refunded. Facts dated after `as_of` are not yet
    known: later purchases are left out, later refunds ignored, and later
    completions and reviews read as not yet happened.
    """
    purchased: ColumnElement[bool] = Voucher.purchased_on <= as_of if as_of else true()
    not_refunded = (
        or_(Voucher.refunded_on.is_(None), Voucher.refunded_on > as_of)
        if as_of
        else Voucher.refunded_on.is_(None)
    )
    ranked = (
        select(
            Voucher.card_number,
            Voucher.voucher_code,
            Voucher.course_code,
            Voucher.purchased_on,
            Voucher.completed_on,
            Voucher.reviewed_on,
            func.row_number()
            .over(
                partition_by=Voucher.card_number,
                order_by=(Voucher.purchased_at, Voucher.voucher_code),
            )
            .label("position"),
        )
        .where(and_(purchased, not_refunded))
        .subquery()
    )

    def known(column: ColumnElement[dt.date | None]) -> ColumnElement[dt.date | None]:
        if as_of is None:
            return column
        return case((column <= as_of, column), else_=None)

    query = select(
        ranked.c.card_number,
        ranked.c.voucher_code,
        ranked.c.course_code,
        ranked.c.purchased_on,
        known(ranked.c.completed_on),
        known(ranked.c.reviewed_on),
    ).where(ranked.c.position == 1)
    return fetch_arrow(session, query, FIRST_TRAINING_SCHEMA)
