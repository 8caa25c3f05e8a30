"""The recovery's rules as data: the repayment period, claim states, where the SQL lives."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

#: Days an ineligible recipient has to repay (Perpres 76/2020), counted from the break's
#: detection.
REPAY_WITHIN_DAYS = 60


class ClaimStatus(StrEnum):
    """Where a recovery claim stands on a day."""

    OPEN = "OPEN"
    """Not fully repaid, and the due day has not passed."""
    OVERDUE = "OVERDUE"
    """Not fully repaid, and the day is after the due day."""
    REPAID = "REPAID"
    """The repayments reach the amount (an over-payment included)."""


#: How a claim's status reads on the pages (English msgids of the `recovery.po` catalogs).
STATUS_LABELS = {
    ClaimStatus.OPEN: "Not yet repaid",
    ClaimStatus.OVERDUE: "Overdue, not repaid",
    ClaimStatus.REPAID: "Repaid",
}


@cache
def sql(name: str) -> str:
    """Return the text of the recovery's `sql/<name>.sql`."""
    return (resources.files("prakerja.recovery") / "sql" / f"{name}.sql").read_text(
        encoding="utf-8"
    )
