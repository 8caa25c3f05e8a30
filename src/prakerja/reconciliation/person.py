"""Statements that read the breaks about one card, by an indexed key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.reconciliation.models import Break


@dataclass(frozen=True)
class CardBreak:
    """A reconciliation break that names a card."""

    break_id: str
    break_type: str
    status: str
    detected_on: dt.date
    resolved_on: dt.date | None
    instruction_id: str | None
    voucher_code: str | None
    expected_amount_idr: int | None
    reported_amount_idr: int | None
    reason: str


def card_breaks(session: Session, *, card_number: str) -> list[CardBreak]:
    """Return the breaks that name a card, oldest first."""
    rows = session.execute(
        select(
            Break.break_id,
            Break.break_type,
            Break.status,
            Break.detected_on,
            Break.resolved_on,
            Break.instruction_id,
            Break.voucher_code,
            Break.expected_amount_idr,
            Break.reported_amount_idr,
            Break.reason,
        )
        .where(Break.card_number == card_number)
        .order_by(Break.detected_on, Break.break_id)
    )
    return [CardBreak(**row._asdict()) for row in rows]
