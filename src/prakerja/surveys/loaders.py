"""Loader of survey-responses.csv: answers judged against their windows, incentives created."""

from __future__ import annotations

from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.ingest import checks
from prakerja.ingest.checks import Field
from prakerja.ingest.pipeline import ImportContext, Loader, StoreOutcome
from prakerja.ingest.validate import REJECT_SCHEMA, ROW
from prakerja.kit.clock import jakarta_days
from prakerja.payouts import service as payouts
from prakerja.payouts.codes import IncentiveKind
from prakerja.registry import service as registry
from prakerja.registry.codes import Employment
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows
from prakerja.surveys.models import SurveyResponse
from prakerja.surveys.windows import judge

ANSWER_COLUMNS = (
    "card_number",
    "survey_no",
    "submitted_at",
    "employment_status",
    "started_business",
    "business_type",
    "monthly_income_idr",
    "skills_improved",
)


class SurveyResponsesLoader(Loader):
    """survey-responses.csv: tracking-survey answers.

    An answer outside its survey's window (or before the first incentive is
    paid, when no survey is open yet) is rejected and does not count. The
    first answer to a survey counts (the earliest submitted, when a file
    holds several); any later one is a duplicate and changes nothing. A
    counted answer is kept for the outcome statistics and earns the survey
    incentive, due on the day it was submitted.
    """

    kind: ClassVar[str] = "survey-responses"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("card_number", checks.digits(16)),
        Field("survey_no", checks.integer(minimum=1, maximum=12)),
        Field("submitted_at", checks.timestamp()),
        Field("employment_status", checks.one_of(tuple(Employment))),
        Field("started_business", checks.boolean()),
        Field("business_type", checks.text(200), required=False),
        Field("monthly_income_idr", checks.integer(minimum=0), required=False),
        Field("skills_improved", checks.boolean()),
    )
    key: ClassVar[tuple[str, ...]] = ("card_number", "survey_no", "submitted_at")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(SurveyResponse),)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Judge each answer against its window, keep the first per survey, create incentives."""
        rows = rows.append_column("submitted_on", jakarta_days(rows["submitted_at"]))
        judged = judge(
            rows.select([ROW, "card_number", "survey_no", "submitted_on"]),
            registry.card_schemes(session),
            payouts.first_tranche_paid(session),
        )
        rows = rows.sort_by([(ROW, "ascending")])
        outside = pc.is_valid(judged["reason"])
        rejects = pa.table(
            {
                ROW: judged[ROW].filter(outside),
                "column": judged["column"].filter(outside),
                "reason": judged["reason"].filter(outside),
            },
            schema=REJECT_SCHEMA,
        )
        counted = rows.filter(pc.invert(outside)).append_column(
            "amount_idr", judged["amount_idr"].filter(pc.invert(outside))
        )
        counted = _first_answers(counted)
        table = (
            counted.select(list(ANSWER_COLUMNS))
            .append_column("submitted_on", counted["submitted_on"])
            .append_column(
                "import_run_id", pa.array([context.import_run_id] * counted.num_rows, pa.int64())
            )
        )
        inserted = insert_new_rows(
            session, table_of(SurveyResponse), table, key=("card_number", "survey_no")
        )
        paying = counted.filter(pc.greater(counted["amount_idr"], 0))
        payouts.add_entitlements(
            session,
            rows=pa.table(
                {
                    "card_number": paying["card_number"],
                    "kind": pa.array([IncentiveKind.SURVEY.value] * paying.num_rows, pa.string()),
                    "tranche": paying["survey_no"],
                    "amount_idr": paying["amount_idr"],
                    "due_on": paying["submitted_on"],
                }
            ),
        )
        valid = rows.num_rows - rejects.num_rows
        return StoreOutcome(duplicates=valid - inserted, rejects=rejects)


def _first_answers(answers: pa.Table) -> pa.Table:
    """Keep the earliest-submitted answer (then the first in the file) to each card's survey."""
    ordered = answers.sort_by(
        [
            ("card_number", "ascending"),
            ("survey_no", "ascending"),
            ("submitted_at", "ascending"),
            (ROW, "ascending"),
        ]
    )
    ordered = ordered.append_column("_order", pa.array(range(ordered.num_rows), pa.int64()))
    firsts = ordered.group_by(["card_number", "survey_no"], use_threads=False).aggregate(
        [("_order", "min")]
    )
    return ordered.filter(pc.is_in(ordered["_order"], value_set=firsts["_order_min"]))
