"""The program's reporting rules: the order of categories, survey numbers per scheme."""

from __future__ import annotations

import pyarrow as pa

from prakerja.catalog.readers import bundle_code, category_codes
from prakerja.schemes.loader import all_schemes

#: The row counting every respondent once in the outcome statistics.
ALL = "ALL"


def reporting_order() -> list[str]:
    """Return the order in which rows are reported: ALL, then the program's, BUNDLE second."""
    categories = category_codes()
    return [ALL, categories[0], bundle_code(), *categories[1:]]


def category_order_table() -> pa.Table:
    """Return the reporting order as a table (`category`, `position`) for the SQL."""
    order = reporting_order()
    return pa.table({"category": order, "position": pa.array(range(len(order)), pa.int32())})


def scheme_surveys_table() -> pa.Table:
    """Return how many tracking surveys each scheme has (`scheme`, `surveys`)."""
    schemes = list(all_schemes().values())
    return pa.table(
        {
            "scheme": [s.code for s in schemes],
            "surveys": pa.array([s.survey_incentive.surveys for s in schemes], pa.int32()),
        }
    )
