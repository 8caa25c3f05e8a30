"""Statements that read one card's purchases, each by an indexed key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prakerja.transactions.models import Attendance, Voucher


@dataclass(frozen=True)
class CardPurchase:
    """A voucher bought with a card, with how far its training went."""

    voucher_code: str
    course_code: str
    platform_code: str
    purchased_on: dt.date
    amount_idr: int
    redeemed: bool
    sessions_attended: int
    completed_on: dt.date | None
    reviewed_on: dt.date | None
    rating: int | None
    refunded_on: dt.date | None


def card_purchases(session: Session, *, card_number: str) -> list[CardPurchase]:
    """Return a card's vouchers in purchase order, with the sessions known attended."""
    attended = (
        select(func.count(func.distinct(Attendance.sequence)))
        .where(Attendance.voucher_code == Voucher.voucher_code)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Voucher.voucher_code,
            Voucher.course_code,
            Voucher.platform_code,
            Voucher.purchased_on,
            Voucher.amount_idr,
            Voucher.redeemed_at.is_not(None).label("redeemed"),
            attended.label("sessions_attended"),
            Voucher.completed_on,
            Voucher.reviewed_on,
            Voucher.rating,
            Voucher.refunded_on,
        )
        .where(Voucher.card_number == card_number)
        .order_by(Voucher.purchased_at, Voucher.voucher_code)
    )
    return [
        CardPurchase(
            **{
                **row._asdict(),
                "redeemed": bool(row.redeemed),
                "sessions_attended": int(row.sessions_attended or 0),
            }
        )
        for row in rows
    ]


def voucher_card(session: Session, *, voucher_code: str) -> str | None:
    """Return the card that bought a voucher, or None."""
    return session.scalar(select(Voucher.card_number).where(Voucher.voucher_code == voucher_code))
