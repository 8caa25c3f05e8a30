"""The gap report: why participants who completed their first training are not yet paid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from prakerja.kit.money import format_rupiah, thousands
from prakerja.reconciliation.engine import sql


class GapStage(StrEnum):
    """Where a participant with a completed first training stands; the first that applies."""

    PAID = "PAID"
    """The first post-training tranche is confirmed by a SUCCESS."""
    HELD_INELIGIBLE = "HELD_INELIGIBLE"
    """Held by a barring list of the scheme."""
    IN_FLIGHT = "IN_FLIGHT"
    """Instructed to a payment partner, no result yet."""
    FAILED_AWAITING_ACCOUNT = "FAILED_AWAITING_ACCOUNT"
    """The payment failed and the participant has not linked a new account since."""
    AWAITING_REVIEW = "AWAITING_REVIEW"
    """The training is not reviewed yet, so the incentive is not due."""
    NO_ACCOUNT = "NO_ACCOUNT"
    """No payout account is linked, so the incentive is not due."""
    DUE_NOT_INSTRUCTED = "DUE_NOT_INSTRUCTED"
    """Due, and not (or no longer) instructed to a payment partner."""


_SENTENCE_PARTS: dict[GapStage, str] = {
    GapStage.HELD_INELIGIBLE: "held by a barring list",
    GapStage.IN_FLIGHT: "in flight with a payment partner",
    GapStage.FAILED_AWAITING_ACCOUNT: "failed and waiting for a new account",
    GapStage.AWAITING_REVIEW: "waiting for their review of the training",
    GapStage.NO_ACCOUNT: "without a payout account",
    GapStage.DUE_NOT_INSTRUCTED: "due but not yet instructed",
}


@dataclass(frozen=True)
class GapRow:
    """One stage of the gap report."""

    stage: GapStage
    participants: int
    amount_idr: int


@dataclass(frozen=True)
class GapReport:
    """Every completed participant in exactly one stage, as of a day."""

    day: dt.date
    rows: tuple[GapRow, ...]

    @property
    def completed(self) -> int:
        """How many participants completed their first training."""
        return sum(row.participants for row in self.rows)

    def row(self, stage: GapStage) -> GapRow:
        """Return the row of one stage."""
        return next(row for row in self.rows if row.stage is stage)

    def sentence(self) -> str:
        """Return the director's sentence: completed, paid, and what the difference is made of.

        Counts are written as the amounts beside them are, a dot between thousands.
        """
        paid = self.row(GapStage.PAID)
        unpaid = [row for row in self.rows if row.stage is not GapStage.PAID]
        waiting = sum(row.participants for row in unpaid)
        owed = sum(row.amount_idr for row in unpaid)
        participants = "participant" if self.completed == 1 else "participants"
        were = "was" if paid.participants == 1 else "were"
        head = (
            f"As of {self.day}, {thousands(self.completed)} {participants} completed their "
            f"first training and {thousands(paid.participants)} of them {were} paid their "
            f"first incentive "
            f"({format_rupiah(paid.amount_idr)})"
        )
        if waiting == 0:
            return head + "; nobody is waiting."
        parts = [
            f"{thousands(row.participants)} {_SENTENCE_PARTS[row.stage]}"
            for row in unpaid
            if row.participants
        ]
        return (
            f"{head}; the difference of {thousands(waiting)} ({format_rupiah(owed)}) is "
            + _join(parts)
            + "."
        )


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def gap_on(connection: Any, day: dt.date) -> GapReport:
    """Compute the gap report on a connection holding the facts and the `paired` table."""
    found = {
        stage: (int(participants), int(amount or 0))
        for stage, participants, amount in connection.execute(sql("gap"), {"day": day}).fetchall()
    }
    rows = tuple(GapRow(stage, *found.get(stage.value, (0, 0))) for stage in GapStage)
    return GapReport(day=day, rows=rows)
