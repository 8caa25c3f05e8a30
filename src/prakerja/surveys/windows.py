"""Survey windows: when each tracking survey of a card is open (pure rules over columns).

Survey k (1 .. the scheme's count) opens the scheme's `opens_every_days` x k
days after the first post-training tranche was paid (the day of its
SUCCESS) and stays open `open_for_days` days more, both ends included.
"""

from __future__ import annotations

import pyarrow as pa

from prakerja.schemes.loader import all_schemes
from prakerja.storage.duck import duckdb_connection, read_sql

_PACKAGE = "prakerja.surveys"

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
    tables = {"answers": answers, "cards": cards, "paid": paid, "schemes": scheme_table()}
    with duckdb_connection(tables) as connection:
        judged = connection.sql(read_sql(_PACKAGE, "windows")).to_arrow_table()
    return judged.cast(JUDGED_SCHEMA)
