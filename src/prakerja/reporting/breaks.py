"""breaks.csv as of a day: every break found up to it, open or resolved by then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from prakerja.reconciliation import service as reconciliation

BREAKS_COLUMNS = (
    "break_id",
    "break_type",
    "partner_code",
    "batch_id",
    "instruction_id",
    "partner_txn_id",
    "voucher_code",
    "card_number",
    "incentive_kind",
    "tranche",
    "expected_amount_idr",
    "reported_amount_idr",
    "detected_on",
    "resolved_on",
    "status",
)


def breaks_as_of(
    session: Session, *, day: dt.date, partner_code: str | None = None
) -> list[Sequence[Any]]:
    """Return breaks.csv's rows as of `day`: found by then, RESOLVED if resolved by then.

    With `partner_code`, only the breaks naming that partner (a partner's own view).
    """
    return reconciliation.breaks_as_of(
        session, day=day, columns=BREAKS_COLUMNS[:-2], partner_code=partner_code
    )
