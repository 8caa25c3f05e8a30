"""Apply every time-based rule that has fallen due by a business day, in dependency order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from prakerja.registry import service as registry


@dataclass(frozen=True)
class DayEffects:
    """What moving to a business day changed."""

    day: dt.date
    cards_revoked: int
    balances_expired: int = 0


def advance_to(session: Session, day: dt.date) -> DayEffects:
    """Apply the rules due by `day`: revoke cards unused past their deadline, expire balances."""
    revoked = registry.revoke_unused_cards(session, day)
    expired = registry.expire_balances(session, day)
    return DayEffects(day=day, cards_revoked=revoked, balances_expired=expired)
