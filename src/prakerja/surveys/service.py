"""Outcome statistics of the tracking surveys: employment, businesses started, income."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.storage.duck import duckdb_connection, read_sql
from prakerja.surveys import repository

_PACKAGE = "prakerja.surveys"

_ANSWERS_SCHEMA = pa.schema(
    [
        ("survey_no", pa.int64()),
        ("employment_status", pa.string()),
        ("started_business", pa.bool_()),
        ("business_type", pa.string()),
        ("monthly_income_idr", pa.int64()),
        ("skills_improved", pa.bool_()),
    ]
)


@dataclass(frozen=True)
class SurveyOutcomes:
    """What the answers to one tracking survey say about the participants' outcomes."""

    survey_no: int
    respondents: int
    started_business: int
    skills_improved: int
    median_income_idr: int | None
    mean_income_idr: int | None
    employment: dict[str, int] = field(default_factory=dict)
    """Answers per employment status, most frequent first."""
    business_types: dict[str, int] = field(default_factory=dict)
    """Businesses started, per type as written (lower case), most frequent first."""


def outcome_statistics(session: Session, *, top_business_types: int = 10) -> list[SurveyOutcomes]:
    """Return the outcome statistics of every survey answered so far (counted answers only)."""
    answers = repository.answers(session, _ANSWERS_SCHEMA)
    with duckdb_connection({"answers": answers}) as connection:
        summary = connection.sql(read_sql(_PACKAGE, "outcome_summary")).fetchall()
        employment = connection.sql(read_sql(_PACKAGE, "outcome_employment")).fetchall()
        businesses = connection.sql(read_sql(_PACKAGE, "outcome_business")).fetchall()
    by_survey: dict[int, dict[str, int]] = {}
    for survey_no, status, count in employment:
        by_survey.setdefault(int(survey_no), {})[str(status)] = int(count)
    types: dict[int, dict[str, int]] = {}
    for survey_no, kind, count in businesses:
        mine = types.setdefault(int(survey_no), {})
        if len(mine) < top_business_types:
            mine[str(kind)] = int(count)
    return [
        SurveyOutcomes(
            survey_no=int(survey_no),
            respondents=int(respondents),
            started_business=int(started),
            skills_improved=int(skills),
            median_income_idr=None if median is None else int(median),
            mean_income_idr=None if mean is None else int(mean),
            employment=by_survey.get(int(survey_no), {}),
            business_types=types.get(int(survey_no), {}),
        )
        for survey_no, respondents, started, skills, median, mean in summary
    ]


def answered_surveys(session: Session) -> set[tuple[str, int]]:
    """Return every (card, survey) that has its counted answer."""
    return repository.answered(session)
