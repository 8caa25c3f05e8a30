"""Statements that read one person's registry records, each by an indexed key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.registry.models import Card, Registration, SelectionResult, Wave


@dataclass(frozen=True)
class PersonRegistration:
    """One registration of a person with its selection outcome, if any."""

    wave: int
    registered_at: dt.datetime | None
    phone: str | None
    full_name: str
    outcome: str | None
    reason: str | None
    decided_on: dt.date | None
    card_number: str | None


@dataclass(frozen=True)
class PersonCard:
    """A person's Kartu Prakerja."""

    card_number: str
    nik: str
    wave: int
    scheme: str
    status: str
    issued_on: dt.date
    purchase_deadline: dt.date
    balance_expires_on: dt.date
    balance_expired_on: dt.date | None
    initial_balance_idr: int
    balance_idr: int
    first_purchase_on: dt.date | None
    revoked_on: dt.date | None


def person_card(session: Session, *, nik: str) -> PersonCard | None:
    """Return the card of a NIK (one per NIK for life), or None."""
    row = session.execute(select(*_CARD_COLUMNS).where(Card.nik == nik)).first()
    return PersonCard(**row._asdict()) if row else None


def card_holder(session: Session, *, card_number: str) -> str | None:
    """Return the NIK that holds a card number, or None."""
    return session.scalar(select(Card.nik).where(Card.card_number == card_number))


def person_registrations(session: Session, *, nik: str) -> list[PersonRegistration]:
    """Return a NIK's registrations in wave order (looked up by the (wave, nik) key)."""
    waves = list(session.scalars(select(Wave.wave)))
    ids = set(
        session.scalars(
            select(Registration.id).where(Registration.wave.in_(waves), Registration.nik == nik)
        )
    )
    ids.update(session.scalars(select(Card.registration_id).where(Card.nik == nik)))
    if not ids:
        return []
    rows = session.execute(
        select(
            Registration.wave,
            Registration.registered_at,
            Registration.phone,
            Registration.full_name,
            SelectionResult.outcome,
            SelectionResult.reason,
            SelectionResult.decided_on,
            SelectionResult.card_number,
        )
        .outerjoin(SelectionResult, SelectionResult.registration_id == Registration.id)
        .where(Registration.id.in_(sorted(ids)))
        .order_by(Registration.wave)
    )
    return [PersonRegistration(*row) for row in rows]


def latest_phone(session: Session, *, nik: str) -> str | None:
    """Return the phone of a NIK's latest registration (the highest wave), or None."""
    registrations = person_registrations(session, nik=nik)
    return registrations[-1].phone if registrations else None


_CARD_COLUMNS = (
    Card.card_number,
    Card.nik,
    Card.wave,
    Card.scheme,
    Card.status,
    Card.issued_on,
    Card.purchase_deadline,
    Card.balance_expires_on,
    Card.balance_expired_on,
    Card.initial_balance_idr,
    Card.balance_idr,
    Card.first_purchase_on,
    Card.revoked_on,
)
