"""Survey windows: when each tracking survey of a card is open (pure rules over columns).

Survey k (1 .. the scheme's count) opens the scheme's `opens_every_days` x k
days after the first post-training tranche was paid (the day of its
SUCCESS) and stays open `open_for_days` days more, both ends included.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from prakerja.schemes.loader import all_schemes

#: Columns of judged answers: the window and, when the answer cannot count, why not.
JUDGED_SCHEMA = pa.schema(
    [
        ("_row", pa.int64()),
        ("opens_on", pa.date32()),
        ("closes_on", pa.date32()),
        ("amount_idr", pa.int64()),
        ("column", pa.string()),
        ("reason", pa.string()),
    ]
)

_JUDGE_SQL = """
WITH windows AS (
    SELECT
        a._row, a.survey_no, a.submitted_on, c.card_number AS known_card, s.scheme, s.surveys,
        s.amount_idr, p.paid_on,
        p.paid_on + CAST(s.opens_every_days * a.survey_no AS INTEGER) AS opens_on,
        p.paid_on + CAST(s.opens_every_days * a.survey_no + s.open_for_days AS INTEGER)
            AS closes_on
    FROM answers a
    LEFT JOIN cards c ON c.card_number = a.card_number
    LEFT JOIN schemes s ON s.scheme = c.scheme
    LEFT JOIN paid p ON p.card_number = a.card_number
)
SELECT
    _row, opens_on, closes_on, amount_idr,
    CASE
        WHEN known_card IS NULL THEN 'card_number'
        WHEN survey_no > surveys THEN 'survey_no'
        WHEN paid_on IS NULL OR submitted_on NOT BETWEEN opens_on AND closes_on
            THEN 'submitted_at'
    END AS "column",
    CASE
        WHEN known_card IS NULL THEN 'unknown card number'
        WHEN survey_no > surveys
            THEN 'scheme ' || scheme || ' has ' || CAST(surveys AS VARCHAR) || ' survey(s)'
        WHEN paid_on IS NULL
            THEN 'survey ' || CAST(survey_no AS VARCHAR)
                 || ' is not open: the first post-training incentive is not paid yet'
        WHEN submitted_on NOT BETWEEN opens_on AND closes_on
            THEN 'survey ' || CAST(survey_no AS VARCHAR) || ' is not open: it is open from '
                 || CAST(opens_on AS VARCHAR) || ' to ' || CAST(closes_on AS VARCHAR)
    END AS reason
FROM windows
ORDER BY _row
"""


def scheme_table() -> pa.Table:
    """Return each scheme's survey rules as columns."""
    schemes = list(all_schemes().values())
    return pa.table(
        {
            "scheme": [s.code for s in schemes],
            "surveys": pa.array([s.survey_incentive.surveys for s in schemes], pa.int64()),
            "amount_idr": pa.array([s.survey_incentive.amount_idr for s in schemes], pa.int64()),
            "opens_every_days": pa.array(
                [s.survey_incentive.opens_every_days for s in schemes], pa.int64()
            ),
            "open_for_days": pa.array(
                [s.survey_incentive.open_for_days for s in schemes], pa.int64()
            ),
        }
    )


def judge(answers: pa.Table, cards: pa.Table, paid: pa.Table) -> pa.Table:
    """Judge answers (`_row, card_number, survey_no, submitted_on`) against their windows.

    `cards` holds each card's scheme, `paid` the day its first tranche was
    paid. Returns JUDGED_SCHEMA, one row per answer, `reason` null when the
    answer is within its survey's window.
    """
    connection = duckdb.connect()
    connection.register("answers", answers)
    connection.register("cards", cards)
    connection.register("paid", paid)
    connection.register("schemes", scheme_table())
    judged = connection.sql(_JUDGE_SQL).to_arrow_table()
    connection.close()
    return judged.cast(JUDGED_SCHEMA)
