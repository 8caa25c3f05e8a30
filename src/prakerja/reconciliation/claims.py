"""What the reconciliation hands to the recovery: its INELIGIBLE_PAYMENT breaks, its escrow proof.

A run (daily or rebuild) opens a recovery claim for every ineligible payment
once its breaks are stored; the escrow proof names the repayments it holds,
those credited to claims and those naming none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.reconciliation.escrow import EscrowProof
from prakerja.reconciliation.models import Break
from prakerja.reconciliation.taxonomy import BreakType
from prakerja.recovery import service as recovery
from prakerja.storage.arrow import fetch_arrow


def open_recovery_claims(session: Session, day: dt.date, *, actor: str) -> int:
    """Hand every INELIGIBLE_PAYMENT break to the recovery, then credit repayments up to `day`.

    The recovery claims the breaks not claimed yet; repayments naming a claim
    are moved to the program fund in the ledger. Return how many claims opened.
    """
    ineligible = fetch_arrow(
        session,
        select(*(getattr(Break, name) for name in recovery.INELIGIBLE_BREAKS.names)).where(
            Break.break_type == BreakType.INELIGIBLE_PAYMENT.value,
            Break.detected_on <= day,
        ),
        recovery.INELIGIBLE_BREAKS,
    )
    opened = recovery.open_claims(session, breaks=ineligible, day=day, actor=actor)
    recovery.credit_repayments(session, day=day)
    return opened


def explain_repayments(session: Session, escrow: EscrowProof) -> EscrowProof:
    """Return the escrow proof with its repayments split into claimed and naming no claim."""
    return replace(escrow, repayments=recovery.repayments_in_escrow(session, day=escrow.day))
