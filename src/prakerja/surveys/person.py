"""One card's tracking surveys: its answers (by an indexed key) and its survey windows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.schemes.loader import all_schemes
from prakerja.surveys.models import SurveyResponse


@dataclass(frozen=True)
class SurveyWindow:
    """Survey `survey_no` of a card: when it is open (both ends included)."""

    survey_no: int
    opens_on: dt.date
    closes_on: dt.date


def card_answers(session: Session, *, card_number: str) -> dict[int, dt.date]:
    """Return the day each survey of a card was answered, by survey number."""
    rows = session.execute(
        select(SurveyResponse.survey_no, SurveyResponse.submitted_on).where(
            SurveyResponse.card_number == card_number
        )
    )
    return {row[0]: row[1] for row in rows}


def survey_windows(*, scheme: str, first_paid_on: dt.date | None) -> list[SurveyWindow]:
    """Return the windows of a card's surveys (none before its first tranche is paid).

    Survey k opens the scheme's `opens_every_days` x k days after the first
    post-training tranche was paid and stays open `open_for_days` days more
    (the same rule `windows.judge` applies to answers).
    """
    rules = all_schemes().get(scheme)
    if rules is None or first_paid_on is None:
        return []
    incentive = rules.survey_incentive
    windows = []
    for number in range(1, incentive.surveys + 1):
        opens = first_paid_on + dt.timedelta(days=incentive.opens_every_days * number)
        closes = opens + dt.timedelta(days=incentive.open_for_days)
        windows.append(SurveyWindow(number, opens, closes))
    return windows
