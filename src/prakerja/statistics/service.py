"""Program statistics and integrity signals: what the exports and the staff pages ask for.

Facts are read through each domain's readers (`repository.py`) and judged by
the SQL of `sql/*.sql` (`engine.py`); this module only orchestrates and
returns typed rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.statistics import engine, repository
from prakerja.statistics.touched import ChangedKeys, touched_tables
from prakerja.storage.db import index_lookups


@dataclass(frozen=True)
class RankingRow:
    """One row of the ranking: a category and the participants whose first training is in it."""

    rank: int
    category: str
    participants: int


@dataclass(frozen=True)
class OutcomeRow:
    """The answers to one survey by the respondents of one category (or ALL)."""

    category: str
    survey_no: int
    respondents: int
    employed: int
    started_business: int
    skills_improved: int
    median_monthly_income_idr: int | None


@dataclass(frozen=True)
class WaveProvinceCount:
    """Participants of one wave and province whose first training is in one category."""

    wave: int
    province_code: str | None
    category: str
    participants: int


@dataclass(frozen=True)
class CourseCompletion:
    """A course's purchases and completions, and the hours participants took against its own."""

    course_code: str
    title: str
    provider_code: str
    hours: int
    purchased: int
    completed: int
    median_hours_taken: float | None
    sooner_than_hours: int


@dataclass(frozen=True)
class ProviderCompletion:
    """A provider's purchases and completions, and the share of the hours participants took."""

    provider_code: str
    provider_name: str
    courses: int
    purchased: int
    completed: int
    median_share_of_hours: float | None
    sooner_than_hours: int


@dataclass(frozen=True)
class SignalRow:
    """An integrity signal: a lead for investigators, with the cards behind it."""

    signal_id: str
    signal_type: str
    subject: str
    card_numbers: tuple[str, ...]
    first_seen_on: dt.date
    evidence: str


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def ranking(
    session: Session,
    *,
    as_of: dt.date | None = None,
    wave: int | None = None,
    province: str | None = None,
) -> list[RankingRow]:
    """Return the categories ranked by participants' first trainings, for a wave (and province)."""
    tables = repository.ranking_tables(session, day=as_of)
    table = engine.ranking(tables, day=as_of or engine.EVERYTHING, wave=wave, province=province)
    return [RankingRow(**row) for row in _rows(table)]


def ranking_by_wave_province(
    session: Session, *, as_of: dt.date | None = None
) -> list[WaveProvinceCount]:
    """Return participants by wave, province and category of their first training."""
    tables = repository.ranking_tables(session, day=as_of)
    table = engine.ranking_by_wave_province(tables, day=as_of or engine.EVERYTHING)
    return [WaveProvinceCount(**row) for row in _rows(table)]


def outcomes(session: Session, *, as_of: dt.date | None = None) -> list[OutcomeRow]:
    """Return the tracking-survey outcomes by category and survey number."""
    tables = repository.outcome_tables(session, day=as_of)
    table = engine.outcomes(tables, day=as_of or engine.EVERYTHING)
    return [OutcomeRow(**row) for row in _rows(table)]


def completions(
    session: Session, *, as_of: dt.date | None = None
) -> tuple[list[CourseCompletion], list[ProviderCompletion]]:
    """Return completion rates and time taken, per course and per provider."""
    tables = repository.completion_tables(session, day=as_of)
    courses, providers = engine.completions(tables, day=as_of or engine.EVERYTHING)
    return (
        [CourseCompletion(**row) for row in _rows(courses)],
        [ProviderCompletion(**row) for row in _rows(providers)],
    )


def latest_signal_day(session: Session) -> dt.date | None:
    """Return the latest business day on which the signals were evaluated (None: never)."""
    return repository.latest_evaluation(session)


def evaluate_signals(session: Session, *, day: dt.date, record: bool = True) -> list[SignalRow]:
    """Return the signals holding on `day`; record new sightings when `day` is not in the past.

    A signal's `first_seen_on` is the first day evaluated on which it held.
    Evaluating a day before the latest one evaluated changes nothing (history
    is not rewritten) and shows only signals already seen by that day, as the
    daily runs left them. `record=False` (the pages) only reads.
    """
    found = engine.signals(repository.signal_tables(session, day=day), day=day)
    latest = repository.latest_evaluation(session)
    if record and (latest is None or day >= latest):
        repository.record_sightings(session, found, day=day)
    table = engine.sighted(found, repository.sightings(session), day=day)
    return [
        SignalRow(
            signal_id=row["signal_id"],
            signal_type=row["signal_type"],
            subject=row["subject"],
            card_numbers=tuple(row["card_numbers"].split(";")),
            first_seen_on=row["first_seen_on"],
            evidence=row["evidence"],
        )
        for row in table.to_pylist()
    ]


def record_day_signals(
    session: Session, *, day: dt.date, run: int | None = None, changed: ChangedKeys | None = None
) -> tuple[int, int]:
    """Record the sightings of `day` as the daily run does; return (new on `day`, seen by it).

    The same sightings as `evaluate_signals`: when `changed` names the keys a
    reconciliation run saw change since the run whose keys the latest
    evaluation took, only the groups they touch are evaluated (see
    `touched`); otherwise the whole program. `run` is the run just made,
    whose keys this evaluation takes. A day before the latest evaluated
    records nothing.
    """
    latest = repository.latest_evaluation(session)
    if latest is None or day >= latest:
        scoped = (
            changed is not None
            and latest is not None
            and repository.run_taken(session, latest) == changed.since_run
        )
        if scoped and changed is not None:
            with index_lookups(session):
                tables = touched_tables(session, day=day, changed=changed)
        else:
            tables = repository.signal_tables(session, day=day)
        repository.record_sightings(session, engine.signals(tables, day=day), day=day)
        repository.take_run(session, day, run)
    return repository.sighted_counts(session, day=day)
