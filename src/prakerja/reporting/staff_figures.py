"""The overview's whole-program figures of a day, computed once per state of the records.

The funnel counts and break tallies read millions of rows; they change only
when a file is imported, a wave is selected, a reconciliation runs or a break
is resolved. The marker names the latest of each (index lookups), and the
figures are computed again only when it moves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from prakerja.accounts.service import cached_figures, keep_figures
from prakerja.audit.service import import_marker
from prakerja.reconciliation.reads import change_markers
from prakerja.registry.reads import wave_change_marker
from prakerja.reporting import staff as reads


def figures_marker(session: Session) -> str:
    """Name the state of the records the figures depend on (latest import, selection, run...)."""
    latest = session.execute(select(import_marker(), wave_change_marker(), *change_markers())).one()
    return "|".join("" if value is None else str(value) for value in latest)


def compute_figures(session: Session, day: dt.date) -> dict[str, Any]:
    """Count the funnel, matched payments, open breaks (type, partner, age), money returned."""
    return {
        "funnel": reads.funnel_counts(session, day),
        "by_type": reads.open_breaks_by(session, "type", day),
        "by_partner": reads.open_breaks_by(session, "partner", day),
        "by_age": reads.open_breaks_by_age(session, day),
        "returned_idr": reads.returned_idr(session, day),
        "matched": reads.matched_payments(session, day),
    }


def overview_figures(session: Session, day: dt.date) -> dict[str, Any]:
    """Return the day's figures: kept ones while the records are unchanged, else fresh ones."""
    marker = figures_marker(session)
    kept = cached_figures(session, day=day, marker=marker)
    if kept is not None:
        return kept
    figures = compute_figures(session, day)
    try:
        keep_figures(session, day=day, marker=marker, figures=figures)
        session.commit()
    except IntegrityError:  # another worker kept the same day's figures first
        session.rollback()
    return figures
