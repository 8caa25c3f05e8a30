"""The surveys' statements: the counted answers."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.storage.arrow import fetch_arrow
from prakerja.surveys.models import SurveyResponse


def answers(session: Session, schema: pa.Schema) -> pa.Table:
    """Return every counted answer, the columns `schema` names."""
    query = select(*(getattr(SurveyResponse, name) for name in schema.names))
    return fetch_arrow(session, query, schema)


def answered(session: Session) -> set[tuple[str, int]]:
    """Return every (card, survey) that has its counted answer."""
    rows = session.execute(select(SurveyResponse.card_number, SurveyResponse.survey_no))
    return {(str(card), int(number)) for card, number in rows}
