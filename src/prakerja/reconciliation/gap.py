"""The gap report: why participants who completed their first training are not yet paid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from gettext import NullTranslations
from typing import Any, Protocol

from prakerja.kit.money import format_rupiah
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


#: What each unpaid stage's participants are doing (gettext message ids).
_STAGE_WORDS: dict[GapStage, str] = {
    GapStage.HELD_INELIGIBLE: "%(count)s held by a barring list",
    GapStage.IN_FLIGHT: "%(count)s in flight with a payment partner",
    GapStage.FAILED_AWAITING_ACCOUNT: "%(count)s failed and waiting for a new account",
    GapStage.AWAITING_REVIEW: "%(count)s waiting for their review of the training",
    GapStage.NO_ACCOUNT: "%(count)s without a payout account",
    GapStage.DUE_NOT_INSTRUCTED: "%(count)s due but not yet instructed",
}


class Words(Protocol):
    """A message catalog (Babel's `Translations`, or gettext's `NullTranslations`)."""

    def gettext(self, message: str) -> str:
        """Return the translation of a message."""
        ...

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return the translation of a message that depends on a count."""
        ...


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
        """Return the director's sentence in English (the command line's and the statement's).

        Counts are written as the amounts beside them are, a dot between thousands.
        """
        return gap_sentence(self.day, self.rows, thousands=".")


def gap_sentence(
    day: dt.date, rows: Sequence[GapRow], *, words: Words | None = None, thousands: str = ","
) -> str:
    """Return the director's sentence: completed, paid, and what the difference is made of.

    `words` translates it (English when None); `thousands` separates the
    thousands of a count (a dot in Indonesian).
    """
    words = words or NullTranslations()

    def count(value: int) -> str:
        return f"{value:,}".replace(",", thousands)

    completed = sum(row.participants for row in rows)
    paid = [row for row in rows if row.stage is GapStage.PAID]
    paid_count, paid_idr = sum(r.participants for r in paid), sum(r.amount_idr for r in paid)
    unpaid = [row for row in rows if row.stage is not GapStage.PAID and row.participants]
    head = words.ngettext(
        "As of %(day)s, %(completed)s participant completed their first training",
        "As of %(day)s, %(completed)s participants completed their first training",
        completed,
    ) % {"day": day, "completed": count(completed)}
    head += words.ngettext(
        " and %(paid)s of them was paid their first incentive (%(amount)s)",
        " and %(paid)s of them were paid their first incentive (%(amount)s)",
        paid_count,
    ) % {"paid": count(paid_count), "amount": format_rupiah(paid_idr)}
    if not unpaid:
        return head + words.gettext("; nobody is waiting.")
    parts = [
        words.gettext(_STAGE_WORDS[row.stage]) % {"count": count(row.participants)}
        for row in unpaid
    ]
    joined = parts[-1]
    if len(parts) > 1:
        joined = ", ".join(parts[:-1]) + words.gettext(" and ") + joined
    waiting = sum(row.participants for row in unpaid)
    owed = sum(row.amount_idr for row in unpaid)
    return (
        head
        + words.gettext("; the difference of %(waiting)s (%(owed)s) is ")
        % {"waiting": count(waiting), "owed": format_rupiah(owed)}
        + joined
        + "."
    )


def recorded_gap_rows(recorded: Sequence[Mapping[str, Any]]) -> tuple[GapRow, ...]:
    """Return the gap rows a reconciliation run recorded (`stage, participants, amount_idr`)."""
    return tuple(
        GapRow(GapStage(row["stage"]), int(row["participants"]), int(row["amount_idr"]))
        for row in recorded
    )


#: The gap report from its rows by participant (`gap_cards`): one row per stage that has any.
_BY_STAGE = (
    "SELECT stage, count(*) AS participants, sum(amount_idr) AS amount_idr "
    "FROM gap_cards GROUP BY stage"
)


def stage_gap_cards(connection: Any, day: dt.date) -> None:
    """Stage each completed participant (card, stage, amount) as the temp table `gap_cards`.

    Needs the facts and the `paired` table on the connection.
    """
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE gap_cards AS {sql('gap_cards')}", {"day": day}
    )


def gap_on(connection: Any, day: dt.date) -> GapReport:
    """Compute the gap report on a connection holding the facts and the `paired` table."""
    stage_gap_cards(connection, day)
    return gap_report(day, connection.execute(_BY_STAGE).fetchall())


def gap_report(day: dt.date, counted: Sequence[Sequence[Any]]) -> GapReport:
    """Return the gap report from (stage, participants, amount) rows, every stage in order."""
    found = {
        stage: (int(participants), int(amount or 0)) for stage, participants, amount in counted
    }
    rows = tuple(GapRow(stage, *found.get(stage.value, (0, 0))) for stage in GapStage)
    return GapReport(day=day, rows=rows)
