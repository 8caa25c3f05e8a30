"""A participant asked to repay: a card barred before its payment, paid, then reconciled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from prakerja.reconciliation.service import reconcile
from prakerja.recovery import service as recovery
from prakerja.registry.models import Registration
from tests.reconciliation.factories import World

SENT, PAID = dt.date(2020, 5, 4), dt.date(2020, 5, 5)


def claimed(
    session: Session, *, phone: str = "0812-3456-7801", reconciled_on: dt.date = PAID
) -> recovery.Claim:
    """Pay a card barred on 1 May 2020, reconcile on a day: return its recovery claim (committed)."""
    world = World(session)
    card = world.card()
    batch = world.batch(day=SENT, partner="OVO")
    instruction = world.instruction(card, batch=batch, day=SENT)
    world.debit_batch(batch, day=SENT)
    world.exclusion(card, list_code="CIVIL_SERVANT", effective_from=dt.date(2020, 5, 1))
    world.result(instruction, day=PAID)
    session.execute(
        update(Registration).where(Registration.nik == world.nik_of(card)).values(phone=phone)
    )
    reconcile(session, day=reconciled_on, actor="tester")
    session.commit()
    (claim,) = recovery.claims_for_card(session, card_number=card, as_of=reconciled_on)
    return claim
