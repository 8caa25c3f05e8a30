"""Narrow Arrow readers of the accepted survey answers, for set-based work in other domains."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.storage.arrow import fetch_arrow
from prakerja.surveys.models import SurveyResponse

ANSWER_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("survey_no", pa.int32()),
        ("submitted_on", pa.date32()),
        ("employment_status", pa.string()),
        ("started_business", pa.bool_()),
        ("monthly_income_idr", pa.int64()),
        ("skills_improved", pa.bool_()),
    ]
)


def accepted_answers(session: Session, *, as_of: dt.date | None = None) -> pa.Table:
    """Return every accepted survey answer submitted by `as_of` (one per card and survey)."""
    query = select(
        SurveyResponse.card_number,
        SurveyResponse.survey_no,
        SurveyResponse.submitted_on,
        SurveyResponse.employment_status,
        SurveyResponse.started_business,
        SurveyResponse.monthly_income_idr,
        SurveyResponse.skills_improved,
    )
    if as_of is not None:
        query = query.where(SurveyResponse.submitted_on <= as_of)
    return fetch_arrow(session, query, ANSWER_SCHEMA)
