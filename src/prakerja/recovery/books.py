"""The recovery's ledger entries: a claim is a receivable; each repayment returns to the fund.

- opening a claim moves its amount from `RECOVERY_CLAIMED` to
  `RECOVERY_RECEIVABLE:<claim_id>` (key `CLAIM:<claim_id>`, on the day it opened);
- a repayment credited to a claim moves what the bank received from the claim's
  receivable to `PROGRAM_FUND` (key `REPAID:<bank_ref>`, on its statement day).

A claim's receivable is therefore its amount less what was repaid; an
over-payment leaves it below zero (what the program owes back). A repayment
naming no known claim moves nothing here: the escrow proof shows it.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import post_table

RECEIVABLE = account(AccountKind.RECOVERY_RECEIVABLE)
CLAIMED = account(AccountKind.RECOVERY_CLAIMED)
FUND = account(AccountKind.PROGRAM_FUND)


class EntryKind:
    """The `entry_kind` of the recovery's ledger entries."""

    CLAIM_OPENED = "RECOVERY_CLAIM_OPENED"
    REPAID = "RECOVERY_REPAID"


def _receivables(claim_ids: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(RECEIVABLE, claim_ids, ":")


def _repeat(value: str, count: int) -> pa.Array:
    return pa.array([value] * count, pa.string())


def post_claims_opened(session: Session, claims: pa.Table) -> int:
    """Book each new claim (claim_id, amount_idr, opened_on) as a receivable, once."""
    count = claims.num_rows
    if count == 0:
        return 0
    return post_table(
        session,
        pa.table(
            {
                "idempotency_key": pc.binary_join_element_wise("CLAIM", claims["claim_id"], ":"),
                "entry_kind": _repeat(EntryKind.CLAIM_OPENED, count),
                "debit_account": _receivables(claims["claim_id"]),
                "credit_account": _repeat(CLAIMED, count),
                "amount_idr": pc.cast(claims["amount_idr"], pa.int64()),
                "effective_on": claims["opened_on"],
                "reference": claims["claim_id"],
            }
        ),
    )


def post_repayments(session: Session, credited: pa.Table) -> int:
    """Move each repayment (bank_ref, statement_date, amount_idr, claim_id) to the fund, once."""
    count = credited.num_rows
    if count == 0:
        return 0
    return post_table(
        session,
        pa.table(
            {
                "idempotency_key": pc.binary_join_element_wise("REPAID", credited["bank_ref"], ":"),
                "entry_kind": _repeat(EntryKind.REPAID, count),
                "debit_account": _repeat(FUND, count),
                "credit_account": _receivables(credited["claim_id"]),
                "amount_idr": pc.cast(credited["amount_idr"], pa.int64()),
                "effective_on": credited["statement_date"],
                "reference": credited["bank_ref"],
            }
        ),
    )
