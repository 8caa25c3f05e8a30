"""Narrow Arrow readers of the registry's facts, for set-based work in other domains."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.registry.models import Card, Registration, Wave
from prakerja.storage.arrow import fetch_arrow

CARD_HOLDER_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("nik", pa.string()),
        ("kk_number", pa.string()),
        ("wave", pa.int32()),
        ("scheme", pa.string()),
        ("province_code", pa.string()),
        ("issued_on", pa.date32()),
        ("full_name", pa.string()),
        ("birth_date", pa.date32()),
    ]
)
REGISTRATION_PHONE_SCHEMA = pa.schema(
    [
        ("nik", pa.string()),
        ("phone", pa.string()),
        ("registered_at", pa.timestamp("us", tz="UTC")),
    ]
)
WAVE_SCHEME_SCHEMA = pa.schema([("wave", pa.int32()), ("scheme", pa.string())])


def card_holders(session: Session, *, as_of: dt.date | None = None) -> pa.Table:
    """Return every card issued by `as_of` with its holder's name and birth date as registered."""
    query = select(
        Card.card_number,
        Card.nik,
        Card.kk_number,
        Card.wave,
        Card.scheme,
        Card.province_code,
        Card.issued_on,
        Registration.full_name,
        Registration.birth_date,
    ).join(Registration, Registration.id == Card.registration_id)
    if as_of is not None:
        query = query.where(Card.issued_on <= as_of)
    return fetch_arrow(session, query, CARD_HOLDER_SCHEMA)


def registration_phones(session: Session) -> pa.Table:
    """Return the phone of every registration of a NIK that holds a card, as written."""
    query = select(Registration.nik, Registration.phone, Registration.registered_at).where(
        Registration.phone.is_not(None), Registration.nik.in_(select(Card.nik))
    )
    return fetch_arrow(session, query, REGISTRATION_PHONE_SCHEMA)


def wave_schemes(session: Session) -> pa.Table:
    """Return every wave with its scheme."""
    return fetch_arrow(session, select(Wave.wave, Wave.scheme), WAVE_SCHEME_SCHEMA)
