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
from prakerja.ledger.service import post_movements

RECEIVABLE = account(AccountKind.RECOVERY_RECEIVABLE)
CLAIMED = account(AccountKind.RECOVERY_CLAIMED)
FUND = account(AccountKind.PROGRAM_FUND)


class EntryKind:
    """The `entry_kind` of the recovery's ledger entries."""

    CLAIM_OPENED = "RECOVERY_CLAIM_OPENED"
    REPAID = "RECOVERY_REPAID"


def _receivables(claim_ids: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(RECEIVABLE, claim_ids, ":")


def post_claims_opened(session: Session, claims: pa.Table) -> int:
    """Book each new claim (claim_id, amount_idr, opened_on) as a receivable, once."""
    count = claims.num_rows
    if count == 0:
        return 0
    return post_movements(
        session,
        keys=pc.binary_join_element_wise("CLAIM", claims["claim_id"], ":"),
        kind=EntryKind.CLAIM_OPENED,
        debit=_receivables(claims["claim_id"]),
        credit=CLAIMED,
        amounts=pc.cast(claims["amount_idr"], pa.int64()),
        day=claims["opened_on"],
        references=claims["claim_id"],
    )


def post_repayments(session: Session, credited: pa.Table) -> int:
    """Move each repayment (bank_ref, statement_date, amount_idr, claim_id) to the fund, once."""
    count = credited.num_rows
    if count == 0:
        return 0
    return post_movements(
        session,
        keys=pc.binary_join_element_wise("REPAID", credited["bank_ref"], ":"),
        kind=EntryKind.REPAID,
        debit=FUND,
        credit=_receivables(credited["claim_id"]),
        amounts=pc.cast(credited["amount_idr"], pa.int64()),
        day=credited["statement_date"],
        references=credited["bank_ref"],
    )
