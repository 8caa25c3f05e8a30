"""The registry's fact readers for other domains: Arrow tables, read by column name.

Other domains join these set-based (cards' states and schemes, who is barred,
the barring lists themselves); none of them reads the registry's tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.registry import repository
from prakerja.registry.schemas import (
    BARRED_CARD_SCHEMA,
    CARD_HOLDER_SCHEMA,
    CARD_SCHEME_SCHEMA,
    CARD_STATE_SCHEMA,
    EXCLUSION_SCHEMA,
)
from prakerja.schemes.loader import all_schemes

__all__ = [
    "BARRED_CARD_SCHEMA",
    "CARD_HOLDER_SCHEMA",
    "CARD_SCHEME_SCHEMA",
    "CARD_STATE_SCHEMA",
    "EXCLUSION_SCHEMA",
    "active_cards",
    "barred_cards",
    "card_holders",
    "card_schemes",
    "card_states",
    "cards_of_holders",
    "exclusions",
]


def card_states(session: Session, *, card_numbers: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Return what the purchase rules need to know of each given card that exists."""
    return repository.card_states(session, card_numbers)


def active_cards(session: Session) -> pa.Table:
    """Return every active card with its issue day, deadline and balance (CARD_STATE_SCHEMA)."""
    return repository.active_card_states(session)


def card_schemes(session: Session, *, cards: Table | None = None) -> pa.Table:
    """Return every card (of `cards`, if staged) with its scheme and status, for joins."""
    return repository.card_schemes(session, cards=cards)


def card_holders(session: Session, *, cards: Table | None = None) -> pa.Table:
    """Return every card (of `cards`, if staged) with its holder's NIK, wave, scheme, revocation."""
    return repository.card_holders(session, cards=cards)


def cards_of_holders(session: Session, *, niks: Table) -> pa.Table:
    """Return the card numbers of the staged NIKs' holders (`card_number`)."""
    return repository.cards_of_holders(session, niks=niks)


def holders_of_cards(session: Session, *, card_numbers: pa.Array) -> pa.Table:
    """Return the holder's NIK of each given card that exists (`card_number`, `nik`)."""
    return repository.holders_of_cards(session, card_numbers=card_numbers)


def barred_cards(session: Session, *, as_of: dt.date) -> pa.Table:
    """Return each card whose holder is on a barring list of the card's scheme by `as_of`.

    One row per card: the first day a list bars the holder (`effective_from`,
    the first day of the list's period) and that list's code (the first in
    alphabetical order when two lists start the same day).
    """
    lists = {
        code: [c.value for c in scheme.barring_lists] for code, scheme in all_schemes().items()
    }
    return repository.barred_cards(session, as_of=as_of, lists=lists)


def exclusions(
    session: Session,
    *,
    as_of: dt.date,
    known_at: Callable[[Any], Any] | None = None,
    cards: Table | None = None,
) -> pa.Table:
    """Return the barring-list entries in force by `as_of` (EXCLUSION_SCHEMA, + `known_at`).

    `known_at`, when given, maps the import-run column to when that import
    finished; `cards` (staged card numbers) keeps the entries of their holders.
    """
    return repository.exclusions(session, as_of=as_of, known_at=known_at, cards=cards)
