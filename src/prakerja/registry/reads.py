"""The registry as the front doors read it: exports, the dashboard, a person's own status."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect
from sqlalchemy.orm import Session

from prakerja.kit.errors import NotFoundError
from prakerja.registry import repository
from prakerja.registry.models import CardStatus, Outcome
from prakerja.registry.waves import get_wave


@dataclass(frozen=True)
class SelectionRow:
    """One line of `export selection`."""

    nik: str
    wave: int
    outcome: str
    reason: str
    card_number: str


def selection_rows(session: Session, *, wave: int) -> list[SelectionRow]:
    """Return every registration of a selected wave with its outcome, reason and card."""
    target = get_wave(session, wave=wave)
    if target.selected_on is None:
        raise NotFoundError(
            f"wave {wave} is not selected yet (run: prakerja waves select {wave} --date D)"
        )
    return [
        SelectionRow(nik, wave, outcome, reason or "", card or "")
        for nik, outcome, reason, card in repository.selection_lines(session, wave)
    ]


@dataclass(frozen=True)
class CardRow:
    """One line of `export cards`."""

    card_number: str
    nik: str
    full_name: str
    wave: int
    issued_on: dt.date
    purchase_deadline: dt.date
    status: str


def card_rows(session: Session, *, wave: int) -> list[CardRow]:
    """Return the cards of a wave with their holder, deadline and status."""
    get_wave(session, wave=wave)
    return [CardRow(*row) for row in repository.card_lines(session, wave)]


@dataclass(frozen=True)
class WaveOverview:
    """A wave at a glance: its scheme, draw, outcomes and cards."""

    wave: int
    scheme: str
    opens_on: dt.date
    closes_on: dt.date
    selected_on: dt.date | None
    places: int
    applicants: int
    selected: int
    reasons: dict[str, int]
    active_cards: int
    revoked_cards: int


def wave_overviews(session: Session) -> list[WaveOverview]:
    """Return every wave with its registrations, outcomes by reason and card statuses."""
    applicants = repository.applicants_by_wave(session)
    outcomes: dict[int, Counter[str]] = {}
    for number, outcome, reason, count in repository.outcome_counts_by_wave(session):
        outcomes.setdefault(number, Counter())[reason or outcome] += count
    cards = repository.card_counts(session)
    places = repository.places_by_wave(session)
    overviews = []
    for wave in repository.all_waves(session):
        counted = outcomes.get(wave.wave, Counter())
        selected = counted.pop(Outcome.SELECTED.value, 0)
        overviews.append(
            WaveOverview(
                wave=wave.wave,
                scheme=wave.scheme,
                opens_on=wave.opens_on,
                closes_on=wave.closes_on,
                selected_on=wave.selected_on,
                places=places.get(wave.wave, 0),
                applicants=applicants.get(wave.wave, 0),
                selected=selected,
                reasons=dict(sorted(counted.items())),
                active_cards=cards.get((wave.wave, CardStatus.ACTIVE.value), 0),
                revoked_cards=cards.get((wave.wave, CardStatus.REVOKED.value), 0),
            )
        )
    return overviews


def funnel_counts(session: Session, *, day: dt.date) -> dict[str, int]:
    """Return applicants, selected and purchased (first purchase by `day`)."""
    applicants, selected, purchased = repository.funnel_counts(session, day)
    return {"applicants": applicants, "selected": selected, "purchased": purchased}


def province_counts(
    session: Session,
) -> tuple[dict[tuple[int, str | None], int], dict[tuple[int, str | None], int]]:
    """Return cards given and cards revoked per (wave, province)."""
    selected = {
        (wave, province): int(count)
        for wave, province, count in repository.selected_by_province(session)
    }
    revoked = {
        (wave, province): int(count)
        for wave, province, count in repository.revoked_by_province(session)
    }
    return selected, revoked


def quota_lines(session: Session) -> list[tuple[int, str, int, int]]:
    """Return (wave, province, quota, places added) of every quota, in order."""
    return [
        (wave, province, int(quota), int(added or 0))
        for wave, province, quota, added in repository.quota_lines(session)
    ]


def wave_change_marker() -> ScalarSelect[Any]:
    """Return a scalar subquery of when a wave last changed (a marker of change)."""
    return repository.latest_wave_change()
