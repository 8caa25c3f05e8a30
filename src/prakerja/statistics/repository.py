"""What the statistics read (through each domain's readers) and the sightings they keep."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prakerja.catalog.readers import course_facts
from prakerja.catalog.service import course_categories_table
from prakerja.kit.clock import utc_now
from prakerja.payouts.readers import account_links
from prakerja.registry.readers import card_holders, registration_phones, wave_schemes
from prakerja.statistics.models import SignalEvaluation, SignalSighting
from prakerja.statistics.rules import category_order_table, scheme_surveys_table
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows
from prakerja.surveys.readers import accepted_answers
from prakerja.transactions.readers import voucher_facts

SIGHTING_SCHEMA = pa.schema([("signal_id", pa.string()), ("first_seen_on", pa.date32())])


def ranking_tables(session: Session, *, day: dt.date | None) -> dict[str, pa.Table]:
    """Read the facts the ranking needs (cards, purchases, categories), dated by `day`."""
    return {
        "cards": card_holders(session, as_of=day),
        "vouchers": voucher_facts(session, as_of=day),
        "course_categories": course_categories_table(session),
        "category_order": category_order_table(),
    }


def outcome_tables(session: Session, *, day: dt.date | None) -> dict[str, pa.Table]:
    """Read the facts the survey outcomes need, dated by `day` (None: all)."""
    return ranking_tables(session, day=day) | {
        "answers": accepted_answers(session, as_of=day),
        "waves": wave_schemes(session),
        "scheme_surveys": scheme_surveys_table(),
    }


def completion_tables(session: Session, *, day: dt.date | None) -> dict[str, pa.Table]:
    """Read the purchases and the courses, dated by `day` (None: all)."""
    return {"vouchers": voucher_facts(session, as_of=day), "courses": course_facts(session)}


def signal_tables(session: Session, *, day: dt.date) -> dict[str, pa.Table]:
    """Read the facts the four signals need, dated by `day`."""
    return {
        "cards": card_holders(session, as_of=day),
        "vouchers": voucher_facts(session, as_of=day),
        "courses": course_facts(session),
        "account_links": account_links(session, as_of=day),
        "phones": registration_phones(session),
    }


def latest_evaluation(session: Session) -> dt.date | None:
    """Return the latest business day on which the signals were evaluated and recorded."""
    return session.scalar(select(func.max(SignalEvaluation.evaluated_on)))


def record_sightings(session: Session, found: pa.Table, *, day: dt.date) -> int:
    """Record `day` as evaluated and each signal of `found` not seen before; return how many."""
    if session.get(SignalEvaluation, day) is None:
        session.add(SignalEvaluation(evaluated_on=day, evaluated_at=utc_now()))
        session.flush()
    rows = pa.table(
        {
            "signal_id": found["signal_id"],
            "signal_type": found["signal_type"],
            "subject": found["subject"],
            "first_seen_on": pa.repeat(pa.scalar(day, pa.date32()), found.num_rows),
        }
    )
    return insert_new_rows(session, table_of(SignalSighting), rows, key=("signal_id",))


def run_taken(session: Session, day: dt.date) -> int | None:
    """Return the reconciliation run whose changed keys `day`'s evaluation took last, if any."""
    return session.scalar(
        select(SignalEvaluation.run_id).where(SignalEvaluation.evaluated_on == day)
    )


def take_run(session: Session, day: dt.date, run: int | None) -> None:
    """Note that `day`'s evaluation took the changed keys of reconciliation run `run` last."""
    evaluation = session.get(SignalEvaluation, day)
    if evaluation is not None:
        evaluation.run_id = run
        session.flush()


def sighted_counts(session: Session, *, day: dt.date) -> tuple[int, int]:
    """Return how many signals were first seen on `day`, and by `day`."""
    new = func.count().filter(SignalSighting.first_seen_on == day)
    query = select(new, func.count()).where(SignalSighting.first_seen_on <= day)
    first, seen = session.execute(query).one()
    return int(first), int(seen)


def sightings(session: Session) -> pa.Table:
    """Return every signal ever seen with the first day it held."""
    query = select(SignalSighting.signal_id, SignalSighting.first_seen_on)
    return fetch_arrow(session, query, SIGHTING_SCHEMA)
