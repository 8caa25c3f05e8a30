"""Statements that read one card's payout records, each by an indexed key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session

from prakerja.payouts.models import Entitlement, Instruction, PartnerResult, PayoutAccount

SUCCESS = "SUCCESS"


@dataclass(frozen=True)
class CardAccount:
    """A payout account a card linked."""

    partner_code: str
    account_id: str
    linked_at: dt.datetime
    linked_on: dt.date


@dataclass(frozen=True)
class CardEntitlement:
    """What a card is owed for one (kind, tranche)."""

    entitlement_id: int
    kind: str
    tranche: int
    amount_idr: int
    due_on: dt.date
    held_from: dt.date | None
    held_reason: str | None
    paid_on: dt.date | None


@dataclass(frozen=True)
class CardInstruction:
    """One attempt to pay one of a card's entitlements, with the partner's answer if any."""

    instruction_id: str
    entitlement_id: int
    kind: str
    tranche: int
    attempt: int
    partner_code: str
    account_id: str
    amount_idr: int
    created_on: dt.date
    state: str
    cancelled_on: dt.date | None
    result_status: str | None
    failure_code: str | None
    result_at: dt.datetime | None


def card_accounts(session: Session, *, card_number: str) -> list[CardAccount]:
    """Return the payout accounts a card linked, oldest first."""
    rows = session.execute(
        select(
            PayoutAccount.partner_code,
            PayoutAccount.account_id,
            PayoutAccount.linked_at,
            PayoutAccount.linked_on,
        )
        .where(PayoutAccount.card_number == card_number)
        .order_by(PayoutAccount.linked_at, PayoutAccount.id)
    )
    return [CardAccount(*row) for row in rows]


def card_entitlements(session: Session, *, card_number: str) -> list[CardEntitlement]:
    """Return a card's entitlements by kind and tranche."""
    rows = session.execute(
        select(
            Entitlement.id,
            Entitlement.kind,
            Entitlement.tranche,
            Entitlement.amount_idr,
            Entitlement.due_on,
            Entitlement.held_from,
            Entitlement.held_reason,
            Entitlement.paid_on,
        )
        .where(Entitlement.card_number == card_number)
        .order_by(Entitlement.kind, Entitlement.tranche)
    )
    return [CardEntitlement(*row) for row in rows]


def card_instructions(session: Session, *, card_number: str) -> list[CardInstruction]:
    """Return a card's instructions in the order they were made, each with its result.

    The result is the one that settled the instruction; for an open one, the
    latest answer on file (a SUCCESS before a FAILED).
    """
    rows = list(
        session.execute(select(*_INSTRUCTION_COLUMNS).where(Instruction.card_number == card_number))
    )
    answers = _answers(session, [row.instruction_id for row in rows])
    found = []
    for row in rows:
        status, code, at = answers.get(row.instruction_id, (None, None, None))
        found.append(CardInstruction(*row, status, code, at))
    return sorted(found, key=lambda i: (i.created_on, i.kind, i.tranche, i.attempt))


def _answers(
    session: Session, instruction_ids: list[str]
) -> dict[str, tuple[str, str | None, dt.datetime]]:
    """Return each instruction's deciding answer: its first SUCCESS, else its latest FAILED."""
    if not instruction_ids:
        return {}
    rows = session.execute(
        select(
            PartnerResult.instruction_id,
            PartnerResult.status,
            PartnerResult.failure_code,
            PartnerResult.processed_at,
        ).where(PartnerResult.instruction_id.in_(instruction_ids))
    )
    answers: dict[str, tuple[str, str | None, dt.datetime]] = {}
    for instruction_id, status, code, at in rows:
        known = answers.get(instruction_id)
        if known is None or _better(status, at, known):
            answers[instruction_id] = (status, code, at)
    return answers


def _better(status: str, at: dt.datetime, known: tuple[str, str | None, dt.datetime]) -> bool:
    """Return True when an answer decides an instruction rather than the one known."""
    if (status == SUCCESS) != (known[0] == SUCCESS):
        return status == SUCCESS
    return at < known[2] if status == SUCCESS else at > known[2]


def instruction_card(session: Session, *, instruction_id: str) -> str | None:
    """Return the card an instruction paid (or tried to), or None."""
    return session.scalar(
        select(Instruction.card_number).where(Instruction.instruction_id == instruction_id)
    )


def succeeded_instruction_ids(partner_code: str) -> Select[Any]:
    """Return a selectable of a partner's instruction ids with a SUCCESS answer from it."""
    return select(Instruction.instruction_id).where(
        Instruction.partner_code == partner_code,
        exists().where(
            and_(
                PartnerResult.instruction_id == Instruction.instruction_id,
                PartnerResult.partner_code == Instruction.partner_code,
                PartnerResult.status == SUCCESS,
            )
        ),
    )


_INSTRUCTION_COLUMNS = (
    Instruction.instruction_id,
    Instruction.entitlement_id,
    Instruction.kind,
    Instruction.tranche,
    Instruction.attempt,
    Instruction.partner_code,
    Instruction.account_id,
    Instruction.amount_idr,
    Instruction.created_on,
    Instruction.state,
    Instruction.cancelled_on,
)


def first_succeeded_instruction(session: Session, *, partner_code: str) -> str | None:
    """Return the first (by id) of a partner's instructions it answered SUCCESS, or None."""
    found: str | None = session.scalar(
        succeeded_instruction_ids(partner_code).order_by(Instruction.instruction_id).limit(1)
    )
    return found
