"""The escrow account proof: the bank's statement against what the program's books expect.

The bank side is the statement: opening + credits - debits = closing. The
books side is the program's own ledger: what funders paid in, less the
incentives partners confirmed paid and those still in flight. They agree
when every batch was debited as instructed and every failure refunded; every
repayment of an ineligible payment is on the books side too, credited to its
claim or shown as naming none (`repayments`); a
batch not yet debited, a refund not yet received or a bank fee is the
difference, which the batch breaks explain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from prakerja.reconciliation.engine import sql
from prakerja.reconciliation.sources import EscrowBooks
from prakerja.recovery.service import RepaymentSplit


@dataclass(frozen=True)
class EscrowProof:
    """The escrow account on a day, from the bank's statement, beside the program's books."""

    day: dt.date
    opening_idr: int
    credits_idr: int
    debits_idr: int
    books: EscrowBooks
    repayments: RepaymentSplit = field(default_factory=RepaymentSplit)
    """The repayments the books hold, split into those credited to claims and those naming none."""

    @property
    def closing_idr(self) -> int:
        """The bank's closing balance: opening + credits - debits."""
        return self.opening_idr + self.credits_idr - self.debits_idr

    @property
    def ledger_idr(self) -> int:
        """The balance the program's ledger expects: funded + repaid - paid - in flight."""
        return self.books.expected_idr

    @property
    def difference_idr(self) -> int:
        """What the bank holds beyond what the ledger says it should (zero when proven)."""
        return self.closing_idr - self.ledger_idr


def escrow_on(connection: Any, day: dt.date, books: EscrowBooks) -> EscrowProof:
    """Compute the escrow proof on a connection holding `bank_lines`."""
    ((opening, credits, debits),) = connection.execute(sql("escrow"), {"day": day}).fetchall()
    return EscrowProof(
        day=day,
        opening_idr=int(opening),
        credits_idr=int(credits),
        debits_idr=int(debits),
        books=books,
    )
