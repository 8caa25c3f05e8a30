"""The payout flow's ledger entries, and the proof that its books balance to the rupiah.

Every entitlement's amount sits in exactly one account at any moment:

- `INCENTIVE_PAYABLE`: due and not (or no longer) instructed - unpaid;
- `PARTNER_SETTLEMENT:<partner>`: instructed, no result yet - in flight;
- `INCENTIVE_RETURNED`: the latest attempt failed, awaiting a new account;
- `PAID_OUT`: confirmed by a partner's SUCCESS on any of its attempts (from
  the first SUCCESS known, even while a retry is still in flight).

It enters from `PROGRAM_FUND` when it falls due, and each state change of
an instruction moves it, once (the idempotency key names the change), so
that funded = paid + in flight + failed-and-returned + unpaid always holds
in the ledger; `prove_books` checks that, and that each of those balances is
exactly what the instructions' states say.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import balances_by_kind, posted_total
from prakerja.payouts.codes import InstructionState, ResultStatus
from prakerja.payouts.models import Entitlement, Instruction, PartnerResult

PAYABLE = account(AccountKind.INCENTIVE_PAYABLE)
RETURNED = account(AccountKind.INCENTIVE_RETURNED)
PAID_OUT = account(AccountKind.PAID_OUT)
FUND = account(AccountKind.PROGRAM_FUND)
SETTLEMENT_PREFIX = account(AccountKind.PARTNER_SETTLEMENT) + ":"


class EntryKind:
    """The `entry_kind` of the payout flow's ledger entries."""

    DUE = "INCENTIVE_DUE"
    INSTRUCTED = "INCENTIVE_INSTRUCTED"
    FAILED = "INCENTIVE_FAILED"
    PAID = "INCENTIVE_PAID"
    CANCELLED = "INSTRUCTION_CANCELLED"
    ESCROW_DEBIT = "ESCROW_DEBIT"
    ESCROW_CREDIT = "ESCROW_CREDIT"


@dataclass(frozen=True)
class Buckets:
    """Where the incentives stand, in rupiah."""

    funded: int
    paid: int
    in_flight: int
    returned: int
    unpaid: int

    @property
    def adds_up(self) -> bool:
        """Return True when funded = paid + in flight + failed-and-returned + unpaid."""
        return self.funded == self.paid + self.in_flight + self.returned + self.unpaid


@dataclass(frozen=True)
class BooksProof:
    """The incentive books as the ledger has them, and as the instructions' states say."""

    ledger: Buckets
    states: Buckets

    @property
    def balanced(self) -> bool:
        """Return True when both add up and agree to the rupiah."""
        return self.ledger.adds_up and self.states.adds_up and self.ledger == self.states


def _ledger_buckets(session: Session) -> Buckets:
    funded = posted_total(session, entry_kind=EntryKind.DUE)
    kinds = balances_by_kind(session)
    return Buckets(
        funded=funded,
        paid=kinds.get(AccountKind.PAID_OUT.value, 0),
        in_flight=kinds.get(AccountKind.PARTNER_SETTLEMENT.value, 0),
        returned=kinds.get(AccountKind.INCENTIVE_RETURNED.value, 0),
        unpaid=kinds.get(AccountKind.INCENTIVE_PAYABLE.value, 0),
    )


def _state_buckets(session: Session) -> Buckets:
    """Sum each entitlement where its results and instructions put it.

    Paid: a SUCCESS on file (from the partner instructed) on any attempt.
    Otherwise in flight: an open instruction; returned: the latest attempt
    failed; unpaid: the rest (never instructed, or the latest one cancelled).
    """
    mine = aliased(Instruction)
    later = aliased(Instruction)
    paid = exists(
        select(PartnerResult.id).where(
            mine.entitlement_id == Entitlement.id,
            PartnerResult.instruction_id == mine.instruction_id,
            PartnerResult.partner_code == mine.partner_code,
            PartnerResult.status == ResultStatus.SUCCESS,
        )
    )
    in_flight = exists(
        select(mine.instruction_id).where(
            mine.entitlement_id == Entitlement.id, mine.state == InstructionState.OPEN
        )
    )
    latest_failed = exists(
        select(mine.instruction_id).where(
            mine.entitlement_id == Entitlement.id,
            mine.state == InstructionState.FAILED,
            ~exists(
                select(later.instruction_id).where(
                    and_(later.entitlement_id == mine.entitlement_id, later.attempt > mine.attempt)
                )
            ),
        )
    )
    where = case(
        (paid, "paid"),
        (in_flight, "in_flight"),
        (latest_failed, "returned"),
        else_="unpaid",
    ).label("bucket")
    rows = session.execute(select(where, func.sum(Entitlement.amount_idr)).group_by(where)).all()
    sums = {str(bucket): int(amount) for bucket, amount in rows}
    return Buckets(
        funded=sum(sums.values()),
        paid=sums.get("paid", 0),
        in_flight=sums.get("in_flight", 0),
        returned=sums.get("returned", 0),
        unpaid=sums.get("unpaid", 0),
    )


def prove_books(session: Session) -> BooksProof:
    """Return the incentive books from the ledger and from the states; `.balanced` proves them."""
    return BooksProof(ledger=_ledger_buckets(session), states=_state_buckets(session))
