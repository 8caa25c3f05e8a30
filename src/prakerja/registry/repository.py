"""The registry's statements: every read and write of waves, quotas, registrations and cards.

Rules and orchestration live in the rooms that call these (`waves`, `cards_lifecycle`,
`balances`, `reads`); nothing else in the registry builds a statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import ScalarSelect, Table, and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from prakerja.registry.models import (
    UNUSED_CARD,
    Card,
    CardStatus,
    Exclusion,
    Registration,
    SelectionResult,
    Wave,
    WaveQuota,
)
from prakerja.registry.schemas import (
    BARRED_CARD_SCHEMA,
    CARD_HOLDER_SCHEMA,
    CARD_NIK_SCHEMA,
    CARD_SCHEME_SCHEMA,
    CARD_STATE_SCHEMA,
    EXCLUSION_SCHEMA,
)
from prakerja.registry.selection import APPLICANT_SCHEMA, BARRED_SCHEMA, PRIOR_CARD_SCHEMA
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import existing_values, insert_new_rows, update_rows
from prakerja.storage.scope import fetch_arrow_matching

_INSTANT = pa.timestamp("us", tz="UTC")


def find_wave(session: Session, wave: int) -> Wave | None:
    """Return a wave, or None."""
    return session.get(Wave, wave)


def all_waves(session: Session) -> list[Wave]:
    """Return every wave in number order."""
    return list(session.scalars(select(Wave).order_by(Wave.wave)))


def places(session: Session, wave: int) -> dict[str, int]:
    """Return a wave's places per pool (quota plus places added)."""
    rows = session.execute(
        select(WaveQuota.province_code, WaveQuota.quota + WaveQuota.added_places).where(
            WaveQuota.wave == wave
        )
    )
    return {str(pool): int(count) for pool, count in rows}


def places_by_wave(session: Session) -> dict[int, int]:
    """Return every wave's total places."""
    rows = session.execute(
        select(WaveQuota.wave, func.sum(WaveQuota.quota + WaveQuota.added_places)).group_by(
            WaveQuota.wave
        )
    )
    return {int(wave): int(total or 0) for wave, total in rows}


def quotas(session: Session, wave: int) -> dict[str, WaveQuota]:
    """Return a wave's quota rows by pool."""
    rows = session.scalars(select(WaveQuota).where(WaveQuota.wave == wave))
    return {quota.province_code: quota for quota in rows}


def add_quota(session: Session, *, wave: int, pool: str) -> WaveQuota:
    """Add an empty quota row for a pool of a wave."""
    quota = WaveQuota(wave=wave, province_code=pool, quota=0, added_places=0)
    session.add(quota)
    return quota


def applicants(session: Session, wave: int) -> pa.Table:
    """Return a wave's registrations as the selection rules read them (APPLICANT_SCHEMA).

    A registration without a readable province competes in the province on its
    KTP, which the NIK's first two digits encode; its card keeps that province too.
    """
    province = func.coalesce(
        func.nullif(Registration.province_code, ""), func.substr(Registration.nik, 1, 2)
    )
    query = select(
        Registration.id,
        Registration.nik,
        Registration.kk_number,
        Registration.birth_date,
        Registration.gender,
        province.label("province_code"),
        Registration.employment_status,
        Registration.monthly_income_idr,
        Registration.registered_at,
    ).where(Registration.wave == wave)
    return fetch_arrow(session, query, APPLICANT_SCHEMA)


def prior_cards(session: Session, wave: int) -> pa.Table:
    """Return the cards held by a wave's applicants or by their families (PRIOR_CARD_SCHEMA)."""
    wave_regs = select(Registration.kk_number).where(Registration.wave == wave)
    wave_niks = select(Registration.nik).where(Registration.wave == wave)
    query = select(Card.nik, Card.kk_number).where(
        or_(Card.kk_number.in_(wave_regs), Card.nik.in_(wave_niks))
    )
    return fetch_arrow(session, query, PRIOR_CARD_SCHEMA)


def barred_applicants(session: Session, *, wave: int, day: dt.date, lists: list[str]) -> pa.Table:
    """Return each applicant of a wave on one of `lists` in force on `day` (BARRED_SCHEMA)."""
    wave_niks = select(Registration.nik).where(Registration.wave == wave)
    query = (
        select(Exclusion.nik, Exclusion.list_code)
        .where(
            Exclusion.effective_from <= day,
            Exclusion.list_code.in_(lists),
            Exclusion.nik.in_(wave_niks),
        )
        .distinct()
    )
    return fetch_arrow(session, query, BARRED_SCHEMA)


def insert_results(
    session: Session, results: pa.Table, *, progress: Callable[[int], None] | None = None
) -> None:
    """Store a wave's selection results."""
    insert_new_rows(session, table_of(SelectionResult), results, progress=progress)


def outcome_counts(session: Session, wave: int) -> Sequence[Any]:
    """Return (outcome, reason, count) of a wave's selection results."""
    return session.execute(
        select(SelectionResult.outcome, SelectionResult.reason, func.count())
        .where(SelectionResult.wave == wave)
        .group_by(SelectionResult.outcome, SelectionResult.reason)
    ).all()


def outcome_counts_by_wave(session: Session) -> Sequence[Any]:
    """Return (wave, outcome, reason, count) of every selection result."""
    return session.execute(
        select(
            SelectionResult.wave,
            SelectionResult.outcome,
            SelectionResult.reason,
            func.count(),
        ).group_by(SelectionResult.wave, SelectionResult.outcome, SelectionResult.reason)
    ).all()


def applicants_by_wave(session: Session) -> dict[int, int]:
    """Return the number of registrations of each wave."""
    rows = session.execute(select(Registration.wave, func.count()).group_by(Registration.wave))
    return {int(wave): int(count) for wave, count in rows}


def existing_card_numbers(session: Session, numbers: Sequence[str]) -> set[str]:
    """Return which of `numbers` are already some card's number."""
    return existing_values(session, table_of(Card), "card_number", numbers)


def insert_cards(session: Session, cards: pa.Table) -> None:
    """Store new cards."""
    insert_new_rows(session, table_of(Card), cards)


def revoked_uncredited(session: Session, day: dt.date) -> Sequence[Any]:
    """Return (card, province) of each card revoked by `day` whose place is not yet credited."""
    province = func.coalesce(Card.province_code, func.substr(Card.nik, 1, 2))
    return list(
        session.execute(
            select(Card.card_number, province).where(
                Card.status == CardStatus.REVOKED.value,
                Card.revoked_on <= day,
                Card.quota_credited_wave.is_(None),
            )
        ).all()
    )


def mark_places_credited(session: Session, *, cards: list[str], wave: int) -> None:
    """Record that the given revoked cards gave their place to `wave`."""
    session.execute(
        update(Card).where(Card.card_number.in_(cards)).values(quota_credited_wave=wave)
    )


def unpurchased_past_deadline(session: Session, day: dt.date) -> Sequence[Any]:
    """Return (card, deadline, balance) of unused active cards past a deadline before `day`."""
    return session.execute(
        select(Card.card_number, Card.purchase_deadline, Card.balance_idr).where(
            text(UNUSED_CARD), Card.purchase_deadline < day
        )
    ).all()


def balances_past_expiry(session: Session, day: dt.date) -> Sequence[Any]:
    """Return (card, expiry, balance) of cards whose balance expires before `day`, not yet gone."""
    return session.execute(
        select(Card.card_number, Card.balance_expires_on, Card.balance_idr).where(
            Card.balance_expired_on.is_(None), Card.balance_expires_on < day
        )
    ).all()


def update_cards(session: Session, changes: list[dict[str, Any]]) -> None:
    """Apply per-card changes (each a dict with `card_number` and the columns to set)."""
    session.execute(update(Card), changes)


def apply_balance_changes(session: Session, changes: pa.Table) -> None:
    """Add `delta` to each card's balance and record its first purchase day once."""
    update_rows(
        session,
        table_of(Card),
        changes,
        key=("card_number",),
        assignments={
            "balance_idr": "t.balance_idr + s.delta",
            "first_purchase_on": "COALESCE(t.first_purchase_on, s.first_purchase_on)",
        },
    )


def selection_lines(session: Session, wave: int) -> Sequence[Any]:
    """Return (nik, outcome, reason, card) of every registration of a wave, by NIK."""
    return session.execute(
        select(
            Registration.nik,
            SelectionResult.outcome,
            SelectionResult.reason,
            SelectionResult.card_number,
        )
        .join(SelectionResult, SelectionResult.registration_id == Registration.id)
        .where(Registration.wave == wave)
        .order_by(Registration.nik)
    ).all()


def card_lines(session: Session, wave: int) -> Sequence[Any]:
    """Return a wave's cards with holder, wave, issue day, deadline and status, by card."""
    return session.execute(
        select(
            Card.card_number,
            Card.nik,
            Registration.full_name,
            Card.wave,
            Card.issued_on,
            Card.purchase_deadline,
            Card.status,
        )
        .join(Registration, Registration.id == Card.registration_id)
        .where(Card.wave == wave)
        .order_by(Card.card_number)
    ).all()


def card_counts(session: Session) -> dict[tuple[int, str], int]:
    """Return the number of cards of each (wave, status)."""
    rows = session.execute(
        select(Card.wave, Card.status, func.count()).group_by(Card.wave, Card.status)
    )
    return {(int(wave), str(status)): int(count) for wave, status, count in rows}


_CARD_STATE_COLUMNS = (
    Card.card_number,
    Card.status,
    Card.issued_on,
    Card.purchase_deadline,
    Card.balance_expires_on,
    Card.balance_expired_on,
    Card.balance_idr,
    Card.first_purchase_on,
)


def card_states(session: Session, card_numbers: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Return CARD_STATE_SCHEMA for each given card that exists."""
    query = select(*_CARD_STATE_COLUMNS)
    return fetch_arrow_matching(session, query, Card.card_number, card_numbers, CARD_STATE_SCHEMA)


def active_card_states(session: Session) -> pa.Table:
    """Return CARD_STATE_SCHEMA for every active card."""
    query = select(*_CARD_STATE_COLUMNS).where(Card.status == CardStatus.ACTIVE.value)
    return fetch_arrow(session, query, CARD_STATE_SCHEMA)


def card_schemes(session: Session, *, cards: Table | None = None) -> pa.Table:
    """Return every card (of `cards`, if staged) with its scheme and status (CARD_SCHEME_SCHEMA)."""
    query = select(Card.card_number, Card.scheme, Card.status)
    if cards is not None:
        query = query.where(Card.card_number.in_(select(cards.c.card_number)))
    return fetch_arrow(session, query, CARD_SCHEME_SCHEMA)


def card_holders(session: Session, *, cards: Table | None = None) -> pa.Table:
    """Return every card (of `cards`, if staged) with its holder's NIK, wave, scheme, revocation."""
    query = select(Card.card_number, Card.nik, Card.wave, Card.scheme, Card.revoked_on)
    if cards is not None:
        query = query.where(Card.card_number.in_(select(cards.c.card_number)))
    return fetch_arrow(session, query, CARD_HOLDER_SCHEMA)


def cards_of_holders(session: Session, *, niks: Table) -> pa.Table:
    """Return the card numbers of the staged NIKs' holders (`card_number`)."""
    query = select(Card.card_number).where(Card.nik.in_(select(niks.c.nik)))
    return fetch_arrow(session, query, pa.schema([("card_number", pa.string())]))


def holders_of_cards(session: Session, *, card_numbers: pa.Array) -> pa.Table:
    """Return the holder's NIK of each given card that exists."""
    query = select(Card.card_number, Card.nik)
    return fetch_arrow_matching(session, query, Card.card_number, card_numbers, CARD_NIK_SCHEMA)


def barred_cards(session: Session, *, as_of: dt.date, lists: dict[str, list[str]]) -> pa.Table:
    """Return each card whose holder is on one of its scheme's `lists` by `as_of`.

    `lists` maps a scheme to its barring lists. One row per card: the first day
    a list bars the holder and that list's code (alphabetical on a tie).
    """
    lists_of_scheme = [
        and_(Card.scheme == scheme, Exclusion.list_code.in_(codes))
        for scheme, codes in lists.items()
        if codes
    ]
    if not lists_of_scheme:
        return BARRED_CARD_SCHEMA.empty_table()
    ranked = (
        select(
            Card.card_number,
            Exclusion.effective_from,
            Exclusion.list_code,
            func.row_number()
            .over(
                partition_by=Card.card_number,
                order_by=(Exclusion.effective_from, Exclusion.list_code),
            )
            .label("position"),
        )
        .join(Exclusion, Exclusion.nik == Card.nik)
        .where(Exclusion.effective_from <= as_of, or_(*lists_of_scheme))
        .subquery()
    )
    query = select(ranked.c.card_number, ranked.c.effective_from, ranked.c.list_code).where(
        ranked.c.position == 1
    )
    return fetch_arrow(session, query, BARRED_CARD_SCHEMA)


def exclusions(
    session: Session,
    *,
    as_of: dt.date,
    known_at: Callable[[Any], Any] | None = None,
    cards: Table | None = None,
) -> pa.Table:
    """Return the barring-list entries in force by `as_of` (EXCLUSION_SCHEMA).

    With `known_at` (a function of the import-run id column giving when that
    import finished), a `known_at` column is added. With `cards` (staged card
    numbers), only the entries of those cards' holders.
    """
    query = select(Exclusion.nik, Exclusion.list_code, Exclusion.effective_from).where(
        Exclusion.effective_from <= as_of
    )
    if cards is not None:
        holders = select(Card.nik).where(Card.card_number.in_(select(cards.c.card_number)))
        query = query.where(Exclusion.nik.in_(holders))
    schema = EXCLUSION_SCHEMA
    if known_at is not None:
        query = query.add_columns(known_at(Exclusion.import_run_id))
        schema = schema.append(pa.field("known_at", _INSTANT))
    return fetch_arrow(session, query, schema)


def funnel_counts(session: Session, day: dt.date) -> tuple[int, int, int]:
    """Return applicants, cards decided by `day` and cards first used by `day`."""
    applicants = session.scalar(select(func.count(func.distinct(Registration.nik))))
    selected = session.scalar(
        select(func.count())
        .select_from(SelectionResult)
        .where(SelectionResult.card_number.is_not(None), SelectionResult.decided_on <= day)
    )
    purchased = session.scalar(
        select(func.count()).select_from(Card).where(Card.first_purchase_on <= day)
    )
    return int(applicants or 0), int(selected or 0), int(purchased or 0)


def selected_by_province(session: Session) -> Sequence[Any]:
    """Return (wave, province, cards given) of every wave and province, grouped in SQL."""
    return session.execute(
        select(SelectionResult.wave, Registration.province_code, func.count())
        .join(Registration, Registration.id == SelectionResult.registration_id)
        .where(SelectionResult.card_number.is_not(None))
        .group_by(SelectionResult.wave, Registration.province_code)
    ).all()


def revoked_by_province(session: Session) -> Sequence[Any]:
    """Return (wave, province, cards revoked) of every wave and province, grouped in SQL."""
    return session.execute(
        select(Card.wave, Card.province_code, func.count())
        .where(Card.revoked_on.is_not(None))
        .group_by(Card.wave, Card.province_code)
    ).all()


def quota_lines(session: Session) -> Sequence[Any]:
    """Return (wave, province, quota, places added) of every quota, in order."""
    return session.execute(
        select(
            WaveQuota.wave, WaveQuota.province_code, WaveQuota.quota, WaveQuota.added_places
        ).order_by(WaveQuota.wave, WaveQuota.province_code)
    ).all()


def latest_wave_change() -> ScalarSelect[Any]:
    """Return a scalar subquery of when a wave last changed (a marker of change)."""
    return select(func.max(Wave.updated_at)).scalar_subquery()
