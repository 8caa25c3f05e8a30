"""Payout operations other layers call: run a day's payouts, cancel, answer questions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Select
from sqlalchemy.orm import Session

from prakerja.audit.service import current_actor, record
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import ConflictError, InputError, NotFoundError
from prakerja.ledger.service import post_movements
from prakerja.payouts import repository
from prakerja.payouts.books import (
    PAYABLE,
    SETTLEMENT_PREFIX,
    EntryKind,
    prove_books,
)
from prakerja.payouts.codes import InstructionState
from prakerja.payouts.entitlements import (
    NEW_ENTITLEMENT_SCHEMA,
    add_entitlements,
    hold_barred,
)
from prakerja.payouts.instruct import (
    Batch,
    instruct_due,
    partner_day_rows,
    prepare_folder,
    write_files,
)
from prakerja.payouts.models import BankStatementLine, Instruction, PartnerResult
from prakerja.payouts.post_training import (
    advance_post_training,
    create_post_training_due,
    evaluated_after,
)
from prakerja.payouts.settle import settle_entitlements

__all__ = [
    "NEW_ENTITLEMENT_SCHEMA",
    "Batch",
    "Cancellation",
    "PaidTotal",
    "add_entitlements",
    "advance_post_training",
    "cancel_instruction",
    "create_post_training_due",
    "evaluated_after",
    "failed_awaiting_account",
    "first_tranche_paid",
    "hold_barred",
    "instruction_days",
    "instruction_files",
    "instructions_of_partner",
    "linked_cards",
    "paid_totals",
    "prepare_instruction_folder",
    "prove_books",
    "repayment_lines",
    "run_payouts",
]

_PAID_SCHEMA = pa.schema([("card_number", pa.string()), ("paid_on", pa.date32())])


def run_payouts(session: Session, *, day: dt.date) -> list[Batch]:
    """Instruct every due entitlement that can be paid on `day`; record the run in the audit trail.

    The caller applies the day's time rules first (`operations.timeline.advance_to`).
    """
    batches = instruct_due(session, day=day)
    record(
        session,
        action="payouts.run",
        subject_type="payouts",
        subject_id=day.isoformat(),
        business_date=day,
        details={
            "batches": [batch.batch_id for batch in batches],
            "instructions": sum(batch.instructions for batch in batches),
            "amount_idr": sum(batch.amount_idr for batch in batches),
        },
    )
    return batches


def _current_business_day(session: Session) -> dt.date | None:
    """Return the latest business day a payouts run made a batch for."""
    return repository.latest_batch_day(session)


@dataclass(frozen=True)
class Cancellation:
    """An instruction cancelled, and whether an earlier attempt's SUCCESS pays its entitlement."""

    instruction_id: str
    cancelled_on: dt.date
    cancelled_at: dt.datetime
    paid_on: dt.date | None
    """The entitlement's paid day when a SUCCESS is on file (nothing is instructed again)."""


def cancel_instruction(
    session: Session, *, instruction_id: str, reason: str, day: dt.date | None = None
) -> Cancellation:
    """Cancel an instruction without a result, so that the next run instructs it again.

    `day` defaults to the program's current business day (the latest payouts
    run's), never earlier than the instruction's own day. Its amount returns
    to incentives payable unless the entitlement is already paid (a SUCCESS
    on an earlier attempt), which then becomes the payment.
    """
    if not reason.strip():
        raise InputError("a reason is required to cancel an instruction")
    instruction = repository.instruction_for_update(session, instruction_id)
    if instruction is None:
        raise NotFoundError(f"unknown instruction {instruction_id!r}")
    answered = repository.has_result(
        session, instruction_id=instruction_id, partner_code=instruction.partner_code
    )
    if instruction.state != InstructionState.OPEN.value or answered:
        state = instruction.state.lower()
        raise ConflictError(
            f"instruction {instruction_id} is {state}"
            + (" and has a partner result" if answered else "")
            + "; only an instruction without a result can be cancelled"
        )
    cancelled_on = day or max(
        _current_business_day(session) or instruction.created_on, instruction.created_on
    )
    if cancelled_on < instruction.created_on:
        raise InputError(
            f"instruction {instruction_id} was created on {instruction.created_on}; "
            f"it cannot be cancelled on {cancelled_on}"
        )
    actor = current_actor()
    instruction.state = InstructionState.CANCELLED.value
    instruction.cancelled_on = cancelled_on
    instruction.cancel_reason = reason.strip()
    instruction.cancelled_by = actor
    instruction.cancelled_at = cancelled_at = utc_now()
    session.flush()
    paid = repository.paid_on(session, instruction.entitlement_id)
    if paid is None:
        post_movements(
            session,
            keys=pa.array([f"CANCELLED:{instruction_id}"]),
            kind=EntryKind.CANCELLED,
            debit=PAYABLE,
            credit=SETTLEMENT_PREFIX + instruction.partner_code,
            amounts=pa.array([instruction.amount_idr], pa.int64()),
            day=cancelled_on,
            references=pa.array([instruction_id]),
        )
    settle_entitlements(session, entitlement_ids=[instruction.entitlement_id])
    record(
        session,
        action="payouts.instruction_cancelled",
        subject_type="instruction",
        subject_id=instruction_id,
        business_date=cancelled_on,
        actor=actor,
        details={"reason": reason.strip(), "batch_id": instruction.batch_id},
    )
    paid_on = repository.paid_on(session, instruction.entitlement_id)
    return Cancellation(instruction_id, cancelled_on, cancelled_at, paid_on)


def first_tranche_paid(session: Session) -> pa.Table:
    """Return each card whose first post-training tranche is paid, with the day it was."""
    return repository.first_tranche_paid(session, _PAID_SCHEMA)


@dataclass(frozen=True)
class PaidTotal:
    """Incentives paid (confirmed by a SUCCESS) for one partner, kind and tranche."""

    partner_code: str
    kind: str
    tranche: int
    payments: int
    amount_idr: int


def paid_totals(session: Session) -> list[PaidTotal]:
    """Return paid incentives grouped by partner, kind and tranche."""
    rows = repository.paid_totals(session)
    return [PaidTotal(str(p), str(k), int(t), int(n), int(a)) for p, k, t, n, a in rows]


def prepare_instruction_folder(out: Path) -> None:
    """Create the folder for instruction files, or fail (InputError) when it cannot hold them."""
    prepare_folder(out)


def instruction_files(session: Session, *, day: dt.date, out: Path) -> list[tuple[Path, int]]:
    """Write the files of the day's batches not written yet into `out`; return them, with rows."""
    return write_files(session, day=day, out=out)


def instructions_of_partner(session: Session, *, partner_code: str, day: dt.date) -> pa.Table:
    """Return instructions-PARTNER-DATE.csv's rows for a partner and day, as the file has them."""
    return partner_day_rows(session, partner_code=partner_code, day=day)


def repayment_lines(session: Session, *, up_to: dt.date | None = None) -> pa.Table:
    """Return the escrow's CREDIT lines from REPAYMENT (dated up to a day), the claim id quoted."""
    return repository.repayment_lines(session, up_to=up_to)


@dataclass(frozen=True)
class InstructionDay:
    """A business day on which a payment partner was sent instructions."""

    day: dt.date
    batches: int
    instructions: int
    amount_idr: int


def instruction_days(
    session: Session, *, partner_code: str, limit: int = 90
) -> list[InstructionDay]:
    """Return the latest days a partner's instruction batches were made, newest first."""
    rows = repository.instruction_days(session, partner_code=partner_code, limit=limit)
    return [
        InstructionDay(day, count, int(rows_ or 0), int(amount or 0))
        for day, count, rows_, amount in rows
    ]


def linked_cards(session: Session) -> set[str]:
    """Return the cards that have linked a payout account."""
    return repository.linked_cards(session)


@dataclass(frozen=True)
class FailedPayment:
    """An entitlement whose latest attempt failed and that waits for a new account."""

    card_number: str
    instruction_id: str
    partner_code: str
    failure_code: str
    failed_at: dt.datetime | None


def failed_awaiting_account(session: Session) -> list[FailedPayment]:
    """Return the failed latest attempts of unpaid entitlements with no account linked since."""
    rows = repository.failed_awaiting_account(session)
    return [
        FailedPayment(card, instruction, partner, str(code or ""), at)
        for card, instruction, partner, code, at in rows
    ]


def answered_count(session: Session, *, before: dt.datetime, excluding: Select[Any]) -> int:
    """Count instructions answered before `before` whose id `excluding` (one column) lacks."""
    return repository.answered_count(session, before=before, excluding=excluding)


def partner_credits(session: Session, *, day: dt.date) -> int:
    """Return what payment partners sent back into escrow (credits from them) up to `day`."""
    return repository.partner_credits(session, day)


def find_instruction(session: Session, *, instruction_id: str) -> Instruction | None:
    """Return an instruction by its id, or None."""
    return repository.find_instruction(session, instruction_id)


def results_for(
    session: Session, *, instruction_id: str | None, partner_txn_id: str | None
) -> list[PartnerResult]:
    """Return the partner results naming an instruction or a partner transaction, in order."""
    return repository.results_for(
        session, instruction_id=instruction_id, partner_txn_id=partner_txn_id
    )


def bank_lines_of_batch(session: Session, *, batch_id: str) -> list[BankStatementLine]:
    """Return the bank statement lines of a payment batch."""
    return repository.bank_lines_of_batch(session, batch_id)
