"""Narrow Arrow readers of the registry's facts, for set-based work in other domains."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.registry.models import Card, HolderRegistration, Registration, Wave
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.scope import fetch_arrow_matching, fetch_staged

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


_HOLDER_COLUMNS = {
    "card_number": Card.card_number,
    "nik": Card.nik,
    "kk_number": Card.kk_number,
    "wave": Card.wave,
    "scheme": Card.scheme,
    "province_code": Card.province_code,
    "issued_on": Card.issued_on,
    "full_name": Registration.full_name,
    "birth_date": Registration.birth_date,
}
_PHONE_COLUMNS = {
    "nik": Registration.nik,
    "phone": Registration.phone,
    "registered_at": Registration.registered_at,
}
#: The same, from the card holders' copy of their registrations (indexed by NIK and phone).
_HOLDER_PHONE_COLUMNS = {
    "nik": HolderRegistration.nik,
    "phone": HolderRegistration.phone,
    "registered_at": HolderRegistration.registered_at,
}


def _first(schema: pa.Schema, name: str) -> pa.Schema:
    """Return `schema` with the field `name` moved first (the key of a matching read)."""
    return pa.schema([schema.field(name), *(f for f in schema if f.name != name)])


def card_holders(session: Session, *, as_of: dt.date | None = None) -> pa.Table:
    """Return every card issued by `as_of` with its holder's name and birth date as registered."""
    query = select(*_HOLDER_COLUMNS.values()).join(
        Registration, Registration.id == Card.registration_id
    )
    if as_of is not None:
        query = query.where(Card.issued_on <= as_of)
    return fetch_arrow(session, query, CARD_HOLDER_SCHEMA)


def card_holders_matching(
    session: Session, *, as_of: dt.date, column: str, values: pa.Array
) -> pa.Table:
    """Return the cards issued by `as_of` whose `column` is among `values` (by index).

    `column` is `card_number`, `nik` or `birth_date` (the holder's, as registered).
    """
    schema = _first(CARD_HOLDER_SCHEMA, column)
    query = (
        select(*(_HOLDER_COLUMNS[name] for name in schema.names))
        .join(Registration, Registration.id == Card.registration_id)
        .where(Card.issued_on <= as_of)
    )
    if column == "birth_date":  # days, not text: a few in lists, or every card once
        # Looked up in the holders' copy (its index); the copy of the card's own
        # registration carries the same birth date.
        query = query.join(
            HolderRegistration, HolderRegistration.registration_id == Card.registration_id
        )
        found = fetch_arrow_matching(session, query, HolderRegistration.birth_date, values, schema)
    else:
        found = fetch_staged(session, query, _HOLDER_COLUMNS[column], values, schema)
    return found.select(CARD_HOLDER_SCHEMA.names)


def registration_phones(session: Session) -> pa.Table:
    """Return the phone of every registration of a NIK that holds a card, as written."""
    query = select(*_PHONE_COLUMNS.values()).where(
        Registration.phone.is_not(None), Registration.nik.in_(select(Card.nik))
    )
    return fetch_arrow(session, query, REGISTRATION_PHONE_SCHEMA)


def registration_phones_matching(session: Session, *, column: str, values: pa.Array) -> pa.Table:
    """Return the phones of registrations whose `column` is among `values` (by index).

    `column` is `nik` or `phone` (as written); only NIKs that hold a card count, so
    they are read from the card holders' copy of their registrations.
    """
    query = select(*_HOLDER_PHONE_COLUMNS.values()).where(
        HolderRegistration.phone.is_not(None), HolderRegistration.nik.in_(select(Card.nik))
    )
    key = _HOLDER_PHONE_COLUMNS[column]
    return fetch_staged(session, query, key, values, REGISTRATION_PHONE_SCHEMA)


def wave_schemes(session: Session) -> pa.Table:
    """Return every wave with its scheme."""
    return fetch_arrow(session, select(Wave.wave, Wave.scheme), WAVE_SCHEME_SCHEMA)
