"""The escrow account proof: opening + credits - debits = closing, against the program's ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prakerja.reconciliation.engine import sql


@dataclass(frozen=True)
class EscrowProof:
    """The escrow account on a day, from the bank's statement, beside the ledger's balance."""

    day: dt.date
    opening_idr: int
    credits_idr: int
    debits_idr: int
    ledger_idr: int

    @property
    def closing_idr(self) -> int:
        """The bank's closing balance: opening + credits - debits."""
        return self.opening_idr + self.credits_idr - self.debits_idr

    @property
    def difference_idr(self) -> int:
        """What the bank holds beyond what the ledger says it should (zero when proven)."""
        return self.closing_idr - self.ledger_idr


def escrow_on(connection: Any, day: dt.date, ledger_idr: int) -> EscrowProof:
    """Compute the escrow proof on a connection holding `bank_lines`."""
    ((opening, credits, debits),) = connection.execute(sql("escrow"), {"day": day}).fetchall()
    return EscrowProof(
        day=day,
        opening_idr=int(opening),
        credits_idr=int(credits),
        debits_idr=int(debits),
        ledger_idr=ledger_idr,
    )
