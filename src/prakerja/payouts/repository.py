"""The payout flow's statements for its services (the set-based steps keep theirs in SQL).

`instruct.py` and `settle.py` run their rules as set-based SQL inside the
database (`INSERT ... SELECT`, `UPDATE ... FROM`); everything else the payout
flow reads or writes is here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from prakerja.payouts.codes import REPAYMENT, Direction, IncentiveKind, InstructionState
from prakerja.payouts.models import (
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
    PostTrainingNext,
    TimeRulesRun,
)
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows, insert_new_rows

_TIME_RULES_RUN = 1
_CARD_SCHEMA = pa.schema([("card_number", pa.string())])
_NEXT_DUE_SCHEMA = pa.schema([("card_number", pa.string()), ("next_due_on", pa.date32())])


def latest_batch_day(session: Session) -> dt.date | None:
    """Return the latest business day a payouts run made a batch for."""
    return session.scalar(select(func.max(PaymentBatch.business_date)))


def instruction_for_update(session: Session, instruction_id: str) -> Instruction | None:
    """Return an instruction, locked, or None."""
    return session.get(Instruction, instruction_id, with_for_update=True)


def has_result(session: Session, *, instruction_id: str, partner_code: str) -> bool:
    """Return whether the partner instructed sent a result for an instruction."""
    answered = session.scalar(
        select(
            exists().where(
                PartnerResult.instruction_id == instruction_id,
                PartnerResult.partner_code == partner_code,
            )
        )
    )
    return bool(answered)


def paid_on(session: Session, entitlement_id: int) -> dt.date | None:
    """Return the day an entitlement was paid, or None."""
    return session.scalar(select(Entitlement.paid_on).where(Entitlement.id == entitlement_id))


def first_tranche_paid(session: Session, schema: pa.Schema) -> pa.Table:
    """Return (card, paid on) of each first post-training tranche paid."""
    query = select(Entitlement.card_number, Entitlement.paid_on).where(
        Entitlement.kind == IncentiveKind.POST_TRAINING.value,
        Entitlement.tranche == 1,
        Entitlement.paid_on.is_not(None),
    )
    return fetch_arrow(session, query, schema)


def paid_totals(session: Session) -> Sequence[Any]:
    """Return (partner, kind, tranche, count, amount) of instructions succeeded."""
    return session.execute(
        select(
            Instruction.partner_code,
            Instruction.kind,
            Instruction.tranche,
            func.count(),
            func.sum(Instruction.amount_idr),
        )
        .where(Instruction.state == InstructionState.SUCCEEDED.value)
        .group_by(Instruction.partner_code, Instruction.kind, Instruction.tranche)
        .order_by(Instruction.partner_code, Instruction.kind, Instruction.tranche)
    ).all()


def linked_cards(session: Session) -> set[str]:
    """Return the cards that have linked a payout account."""
    return set(session.scalars(select(PayoutAccount.card_number).distinct()))


def failed_awaiting_account(session: Session) -> Sequence[Any]:
    """Return (card, instruction, partner, failure code, failed at) of failed latest attempts.

    Only unpaid entitlements whose card linked no account since the failure.
    """
    later = aliased(Instruction)
    newer_link = exists().where(
        PayoutAccount.card_number == Instruction.card_number,
        PayoutAccount.linked_at > Instruction.result_at,
    )
    return session.execute(
        select(
            Instruction.card_number,
            Instruction.instruction_id,
            Instruction.partner_code,
            PartnerResult.failure_code,
            Instruction.result_at,
        )
        .join(
            PartnerResult,
            and_(
                PartnerResult.partner_code == Instruction.partner_code,
                PartnerResult.partner_txn_id == Instruction.result_txn_id,
            ),
        )
        .join(Entitlement, Entitlement.id == Instruction.entitlement_id)
        .where(
            Instruction.state == InstructionState.FAILED.value,
            Entitlement.paid_on.is_(None),
            ~exists().where(
                later.entitlement_id == Instruction.entitlement_id,
                later.attempt > Instruction.attempt,
            ),
            ~newer_link,
        )
        .order_by(Instruction.instruction_id)
    ).all()


def first_links(
    session: Session, *, as_of: dt.date, schema: pa.Schema, cards: Table | None = None
) -> pa.Table:
    """Return each card's (of `cards`, if staged) first day with an account linked, by `as_of`."""
    query = (
        select(PayoutAccount.card_number, func.min(PayoutAccount.linked_on))
        .where(PayoutAccount.linked_on <= as_of, _of(PayoutAccount.card_number, cards))
        .group_by(PayoutAccount.card_number)
    )
    return fetch_arrow(session, query, schema)


def post_training_tranches(
    session: Session, schema: pa.Schema, *, cards: Table | None = None
) -> pa.Table:
    """Return each card's (of `cards`, if staged) highest post-training tranche created."""
    query = (
        select(Entitlement.card_number, func.max(Entitlement.tranche))
        .where(
            Entitlement.kind == IncentiveKind.POST_TRAINING.value,
            _of(Entitlement.card_number, cards),
        )
        .group_by(Entitlement.card_number)
    )
    return fetch_arrow(session, query, schema)


def _of(
    column: ColumnElement[str] | InstrumentedAttribute[str], cards: Table | None
) -> ColumnElement[bool]:
    """`column` names one of the staged `cards` (always true without them)."""
    return true() if cards is None else column.in_(select(cards.c.card_number))


def insert_entitlements(session: Session, rows: pa.Table) -> int:
    """Store new entitlements (one per card, kind and tranche); return how many were new."""
    return insert_new_rows(
        session, table_of(Entitlement), rows, key=("card_number", "kind", "tranche")
    )


def hold_entitlements(session: Session, holds: list[dict[str, Any]]) -> None:
    """Hold each card's unpaid entitlements from a day with a reason, unless held earlier.

    `holds` has `b_card`, `b_from` and `b_reason` per card.
    """
    statement = (
        update(table_of(Entitlement))
        .where(
            Entitlement.card_number == bindparam("b_card"),
            Entitlement.paid_on.is_(None),
            or_(Entitlement.held_from.is_(None), Entitlement.held_from > bindparam("b_from")),
        )
        .values(held_from=bindparam("b_from"), held_reason=bindparam("b_reason"))
    )
    session.connection().execute(statement, holds)


REPAYMENT_LINES = pa.schema(
    [
        ("bank_ref", pa.string()),
        ("statement_date", pa.date32()),
        ("amount_idr", pa.int64()),
        ("claim_id", pa.string()),
    ]
)


def repayment_lines(session: Session, *, up_to: dt.date | None = None) -> pa.Table:
    """Return the escrow's CREDIT lines from REPAYMENT (dated up to a day), the claim id quoted."""
    query = select(
        BankStatementLine.bank_ref,
        BankStatementLine.statement_date,
        BankStatementLine.amount_idr,
        BankStatementLine.batch_id,
    ).where(
        BankStatementLine.direction == Direction.CREDIT.value,
        BankStatementLine.counterparty_code == REPAYMENT,
    )
    if up_to is not None:
        query = query.where(BankStatementLine.statement_date <= up_to)
    return fetch_arrow(session, query, REPAYMENT_LINES)


def answered_count(session: Session, *, before: dt.datetime, excluding: Select[Any]) -> int:
    """Count instructions answered before `before` whose id `excluding` (one column) lacks."""
    excluded = excluding.where(excluding.selected_columns[0] == Instruction.instruction_id)
    total = session.scalar(
        select(func.count())
        .select_from(Instruction)
        .where(Instruction.result_at < before, ~excluded.exists())
    )
    return int(total or 0)


def partner_credits(session: Session, day: dt.date) -> int:
    """Return the bank credits from payment partners into escrow up to `day`."""
    partners = select(PaymentBatch.partner_code).distinct()
    total = session.scalar(
        select(func.coalesce(func.sum(BankStatementLine.amount_idr), 0)).where(
            BankStatementLine.direction == "CREDIT",
            BankStatementLine.statement_date <= day,
            BankStatementLine.counterparty_code.in_(partners),
        )
    )
    return int(total or 0)


def find_instruction(session: Session, instruction_id: str) -> Instruction | None:
    """Return an instruction by its id, or None."""
    return session.get(Instruction, instruction_id)


def results_for(
    session: Session, *, instruction_id: str | None, partner_txn_id: str | None
) -> list[PartnerResult]:
    """Return the partner results naming an instruction or a partner transaction, in order."""
    keys = []
    if instruction_id:
        keys.append(PartnerResult.instruction_id == instruction_id)
    if partner_txn_id:
        keys.append(PartnerResult.partner_txn_id == partner_txn_id)
    if not keys:
        return []
    return list(session.scalars(select(PartnerResult).where(or_(*keys)).order_by(PartnerResult.id)))


def bank_lines_of_batch(session: Session, batch_id: str) -> list[BankStatementLine]:
    """Return the bank statement lines of a batch."""
    return list(
        session.scalars(select(BankStatementLine).where(BankStatementLine.batch_id == batch_id))
    )


def instruction_days(session: Session, *, partner_code: str, limit: int) -> Sequence[Any]:
    """Return (day, batches, instructions, amount) of a partner's batch days, newest first."""
    return session.execute(
        select(
            PaymentBatch.business_date,
            func.count(),
            func.sum(PaymentBatch.instruction_count),
            func.sum(PaymentBatch.total_amount_idr),
        )
        .where(PaymentBatch.partner_code == partner_code)
        .group_by(PaymentBatch.business_date)
        .order_by(PaymentBatch.business_date.desc())
        .limit(limit)
    ).all()


def time_rules_run(session: Session) -> tuple[dt.date, str] | None:
    """Return the latest day the post-training rule was evaluated to, and its schemes' digest."""
    run = session.get(TimeRulesRun, _TIME_RULES_RUN)
    return None if run is None else (run.evaluated_on, run.schemes)


def record_time_rules_run(session: Session, *, day: dt.date, schemes: str) -> None:
    """Record that the post-training rule was evaluated to `day` under the schemes' digest."""
    runs = table_of(TimeRulesRun)
    session.execute(delete(runs))
    session.execute(insert(runs).values(id=_TIME_RULES_RUN, evaluated_on=day, schemes=schemes))


def next_due_cards(session: Session, *, day: dt.date) -> pa.Array:
    """Return the cards whose next post-training tranche falls due by `day`."""
    query = select(PostTrainingNext.card_number).where(PostTrainingNext.next_due_on <= day)
    return fetch_arrow(session, query, _CARD_SCHEMA)["card_number"].combine_chunks()


def replace_next_due(session: Session, rows: pa.Table, *, cards: Table | None) -> None:
    """Replace the next due days of `cards` (staged card numbers; every card when None)."""
    stored = table_of(PostTrainingNext)
    session.execute(delete(stored).where(_of(stored.c.card_number, cards)))
    append_rows(session, stored, rows.cast(_NEXT_DUE_SCHEMA))
