"""Finance writes off what the bank took beyond a batch (its transfer fee): into the books.

A batch debited for more than its instructions (the bank's own transfer fee
added) leaves the escrow account short of what the books expect. When the
operator who resolves that BATCH_TOTAL_MISMATCH says it is written off, the
excess moves from the partner's funds to `ESCROW_WRITTEN_OFF:<partner>`, an
account the escrow proof subtracts: the proof then balances, and the books
show every rupiah written off, by whom (the audit trail) and why (the break).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.kit.errors import ConflictError
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import post_movements
from prakerja.reconciliation.models import Break
from prakerja.reconciliation.taxonomy import BreakType

ENTRY_KIND = "ESCROW_WRITE_OFF"


def written_off_amount(found: Break) -> int:
    """Return what a break lets finance write off: the bank's debit beyond the batch."""
    if found.break_type != BreakType.BATCH_TOTAL_MISMATCH.value:
        raise ConflictError(
            f"break {found.break_id} is a {found.break_type}: only a BATCH_TOTAL_MISMATCH "
            "(the bank debited more than the batch) can be written off"
        )
    expected, reported = found.expected_amount_idr, found.reported_amount_idr
    if expected is None or reported is None or reported <= expected:
        raise ConflictError(
            f"break {found.break_id}: the bank did not debit more than the batch; "
            "nothing to write off"
        )
    return int(reported - expected)


def post_write_off(session: Session, found: Break, *, day: dt.date) -> int:
    """Post the write-off of a bank fee once (its key names the break); return the amount."""
    amount = written_off_amount(found)
    partner = found.partner_code or "UNKNOWN"
    post_movements(
        session,
        keys=pa.array([f"WRITE_OFF:{found.break_id}"]),
        kind=ENTRY_KIND,
        debit=account(AccountKind.ESCROW_WRITTEN_OFF, partner),
        credit=account(AccountKind.PARTNER_FUNDS, partner),
        amounts=pa.array([amount], pa.int64()),
        day=day,
        references=pa.array([found.batch_id or found.break_id]),
    )
    return amount
