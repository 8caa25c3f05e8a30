"""Apply every time-based rule that has fallen due by a business day, in dependency order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from prakerja.payouts import service as payouts
from prakerja.reconciliation import queue
from prakerja.registry import service as registry
from prakerja.storage.db import index_lookups


@dataclass(frozen=True)
class DayEffects:
    """What moving to a business day changed."""

    day: dt.date
    cards_revoked: int
    entitlements_due: int = 0
    balances_expired: int = 0


def advance_to(session: Session, *, day: dt.date) -> DayEffects:
    """Apply the rules due by `day`: revoke unused cards, expire balances, incentives due, holds."""
    revoked = registry.revoke_unused_cards(session, day=day)
    expired = registry.expire_balances(session, day=day)
    due = _post_training_due(session, day=day)
    payouts.hold_barred(session, day=day)
    return DayEffects(
        day=day, cards_revoked=revoked, entitlements_due=due, balances_expired=expired
    )


def _post_training_due(session: Session, *, day: dt.date) -> int:
    """Create the post-training entitlements due by `day`: of the cards that may have changed.

    A day before the latest evaluated reads every card and leaves the queue
    of changes for the days ahead.
    """
    if payouts.evaluated_after(session, day=day):
        return payouts.create_post_training_due(session, day=day)
    with index_lookups(session):
        changed = queue.take_changed_cards(session, day=day)
        due = payouts.advance_post_training(session, day=day, changed=changed)
        queue.forget_taken_cards(session)
    return due
