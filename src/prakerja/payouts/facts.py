"""The payout flow's fact readers for other domains: Arrow tables, columns by name.

Each reader returns the facts dated on or before a day; with `knowing=True`
it adds when each fact became known to the program (`known_at`, and for an
instruction `cancel_known_at`): the instant a payouts run created it, or the
import that brought it finished. A daily reconciliation reads none of those.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from sqlalchemy import Executable, Select, Table, and_, exists, literal, select, union
from sqlalchemy.orm import Session

from prakerja.audit.service import import_finished
from prakerja.payouts.codes import IncentiveKind
from prakerja.payouts.models import (
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.storage.arrow import fetch_arrow

_DATE = pa.date32()
_INSTANT = pa.timestamp("us", tz="UTC")

INSTRUCTION_SCHEMA = pa.schema(
    [
        ("instruction_id", pa.string()),
        ("batch_id", pa.string()),
        ("entitlement_id", pa.int64()),
        ("card_number", pa.string()),
        ("kind", pa.string()),
        ("tranche", pa.int16()),
        ("attempt", pa.int16()),
        ("partner_code", pa.string()),
        ("account_id", pa.string()),
        ("amount_idr", pa.int64()),
        ("created_on", _DATE),
        ("state", pa.string()),
        ("cancelled_on", _DATE),
    ]
)
RESULT_SCHEMA = pa.schema(
    [
        ("partner_code", pa.string()),
        ("instruction_id", pa.string()),
        ("partner_txn_id", pa.string()),
        ("account_id", pa.string()),
        ("amount_idr", pa.int64()),
        ("status", pa.string()),
        ("failure_code", pa.string()),
        ("processed_at", _INSTANT),
        ("processed_on", _DATE),
    ]
)
BATCH_SCHEMA = pa.schema(
    [("batch_id", pa.string()), ("partner_code", pa.string()), ("business_date", _DATE)]
)
BANK_LINE_SCHEMA = pa.schema(
    [
        ("bank_ref", pa.string()),
        ("statement_date", _DATE),
        ("counterparty_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("direction", pa.string()),
        ("batch_id", pa.string()),
    ]
)
ACCOUNT_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("linked_at", _INSTANT), ("linked_on", _DATE)]
)
HOLD_SCHEMA = pa.schema([("card_number", pa.string()), ("held_from", _DATE)])


def _read(session: Session, query: Executable, schema: pa.Schema, *known: str) -> pa.Table:
    """Fetch `query`, whose last columns (if any) are the knowledge columns `known`."""
    for name in known:
        schema = schema.append(pa.field(name, _INSTANT))
    return fetch_arrow(session, query, schema)


def instructions(session: Session, *, as_of: dt.date, knowing: bool = False) -> pa.Table:
    """Return the instructions created by `as_of` (INSTRUCTION_SCHEMA)."""
    query = select(*(getattr(Instruction, name) for name in INSTRUCTION_SCHEMA.names)).where(
        Instruction.created_on <= as_of
    )
    if not knowing:
        return _read(session, query, INSTRUCTION_SCHEMA)
    query = query.add_columns(Instruction.created_at, Instruction.cancelled_at)
    return _read(session, query, INSTRUCTION_SCHEMA, "known_at", "cancel_known_at")


def scoped_instructions(
    session: Session, *, as_of: dt.date, cards: Table, batches: Table
) -> pa.Table:
    """Return the instructions created by `as_of` to the staged `cards` or in the staged `batches`.

    INSTRUCTION_SCHEMA; each side a lookup by its index, then their union.
    """
    columns = [getattr(Instruction, name) for name in INSTRUCTION_SCHEMA.names]
    known = Instruction.created_on <= as_of
    of_cards = select(*columns).where(
        known, Instruction.card_number.in_(select(cards.c.card_number))
    )
    in_batches = select(*columns).where(known, Instruction.batch_id.in_(select(batches.c.batch_id)))
    return _read(session, union(of_cards, in_batches), INSTRUCTION_SCHEMA)


def partner_results(session: Session, *, as_of: dt.date, knowing: bool = False) -> pa.Table:
    """Return the payment partners' results processed by `as_of` (RESULT_SCHEMA)."""
    query = select(*(getattr(PartnerResult, name) for name in RESULT_SCHEMA.names)).where(
        PartnerResult.processed_on <= as_of
    )
    if not knowing:
        return _read(session, query, RESULT_SCHEMA)
    query = query.add_columns(import_finished(PartnerResult.import_run_id))
    return _read(session, query, RESULT_SCHEMA, "known_at")


def scoped_results(
    session: Session, *, as_of: dt.date, instructions: Table, results: Table
) -> pa.Table:
    """Return the results processed by `as_of` answering the staged `instructions` or named.

    RESULT_SCHEMA: those answering the staged instructions (instruction_id,
    partner_code: a result answers the instruction of its id issued to its
    partner), and those the staged `results` name (partner_code, partner_txn_id).
    Each side is a lookup by an index of the results.
    """
    columns = [getattr(PartnerResult, name) for name in RESULT_SCHEMA.names]
    known = PartnerResult.processed_on <= as_of
    answering = (
        select(*columns)
        .select_from(PartnerResult)
        .join(
            instructions,
            and_(
                instructions.c.instruction_id == PartnerResult.instruction_id,
                instructions.c.partner_code == PartnerResult.partner_code,
            ),
        )
        .where(known)
    )
    named = (
        select(*columns)
        .select_from(PartnerResult)
        .join(
            results,
            and_(
                results.c.partner_code == PartnerResult.partner_code,
                results.c.partner_txn_id == PartnerResult.partner_txn_id,
            ),
        )
        .where(known)
    )
    return _read(session, union(answering, named), RESULT_SCHEMA)


def batches(
    session: Session, *, as_of: dt.date, knowing: bool = False, scope: Table | None = None
) -> pa.Table:
    """Return the payment batches of business days up to `as_of` (BATCH_SCHEMA).

    With `scope` (staged batch ids), only those.
    """
    query = select(PaymentBatch.batch_id, PaymentBatch.partner_code, PaymentBatch.business_date)
    query = query.where(PaymentBatch.business_date <= as_of)
    if scope is not None:
        query = query.where(PaymentBatch.batch_id.in_(select(scope.c.batch_id)))
    if not knowing:
        return _read(session, query, BATCH_SCHEMA)
    return _read(session, query.add_columns(PaymentBatch.created_at), BATCH_SCHEMA, "known_at")


def bank_lines(session: Session, *, as_of: dt.date, knowing: bool = False) -> pa.Table:
    """Return the escrow account's bank statement lines dated up to `as_of` (BANK_LINE_SCHEMA)."""
    query = select(*(getattr(BankStatementLine, name) for name in BANK_LINE_SCHEMA.names)).where(
        BankStatementLine.statement_date <= as_of
    )
    if not knowing:
        return _read(session, query, BANK_LINE_SCHEMA)
    query = query.add_columns(import_finished(BankStatementLine.import_run_id))
    return _read(session, query, BANK_LINE_SCHEMA, "known_at")


def payout_accounts(session: Session, *, as_of: dt.date, cards: Table | None = None) -> pa.Table:
    """Return the payout accounts linked by `as_of` (ACCOUNT_SCHEMA), of `cards` if staged."""
    query = select(
        PayoutAccount.card_number, PayoutAccount.linked_at, PayoutAccount.linked_on
    ).where(PayoutAccount.linked_on <= as_of)
    if cards is not None:
        query = query.where(PayoutAccount.card_number.in_(select(cards.c.card_number)))
    return fetch_arrow(session, query, ACCOUNT_SCHEMA)


def first_tranche_holds(
    session: Session, *, as_of: dt.date, cards: Table | None = None
) -> pa.Table:
    """Return each card whose first post-training tranche is held by `as_of` (HOLD_SCHEMA).

    With `cards` (staged card numbers), only those cards.
    """
    query = select(Entitlement.card_number, Entitlement.held_from).where(
        Entitlement.kind == IncentiveKind.POST_TRAINING.value,
        Entitlement.tranche == 1,
        Entitlement.held_from <= as_of,
    )
    if cards is not None:
        query = query.where(Entitlement.card_number.in_(select(cards.c.card_number)))
    return fetch_arrow(session, query, HOLD_SCHEMA)


RESULT_CARD_SCHEMA = pa.schema(
    [
        ("partner_code", pa.string()),
        ("partner_txn_id", pa.string()),
        ("card_number", pa.string()),
    ]
)


def cards_of_results(session: Session, *, results: Table) -> pa.Table:
    """Return each staged result with the card of the instruction it answers, if any.

    The card is NULL when the result answers no instruction the program
    issued to that partner. RESULT_CARD_SCHEMA; `results` is staged with
    partner_code, instruction_id and partner_txn_id.
    """
    query = (
        select(results.c.partner_code, results.c.partner_txn_id, Instruction.card_number)
        .select_from(results)
        .outerjoin(
            Instruction,
            and_(
                Instruction.instruction_id == results.c.instruction_id,
                Instruction.partner_code == results.c.partner_code,
            ),
        )
        .distinct()
    )
    return fetch_arrow(session, query, RESULT_CARD_SCHEMA)


_CARDS = pa.schema([("card_number", pa.string())])
_BATCHES = pa.schema([("batch_id", pa.string())])


def unanswered_cards(session: Session, *, created_from: dt.date, as_of: dt.date) -> pa.Table:
    """Return the cards of instructions created in [`created_from`, `as_of`] still unanswered.

    Unanswered: no result processed by `as_of` answers them, so a later day
    may make their missing result a break.
    """
    # The partner is compared as an expression, not a column: the lookup then goes by the
    # instruction id's index alone (a planner without statistics, right after a bulk load,
    # otherwise ANDs it with the partner's index and reads thousands of rows per instruction).
    answered = exists().where(
        PartnerResult.instruction_id == Instruction.instruction_id,
        PartnerResult.partner_code + literal("") == Instruction.partner_code,
        PartnerResult.processed_on <= as_of,
    )
    query: Select[Any] = (
        select(Instruction.card_number)
        .where(Instruction.created_on >= created_from, Instruction.created_on <= as_of, ~answered)
        .distinct()
    )
    return fetch_arrow(session, query, _CARDS)


def undebited_batches(
    session: Session, *, since: dt.date, debited_by: dt.date, as_of: dt.date
) -> pa.Table:
    """Return the batches of business days in [`since`, `as_of`] not debited by `debited_by`.

    Ids only: the batches no escrow debit dated on or before `debited_by`
    names, whose missing debit a later day may make a break.
    """
    debited = exists().where(
        BankStatementLine.batch_id == PaymentBatch.batch_id,
        BankStatementLine.direction == "DEBIT",
        BankStatementLine.statement_date <= debited_by,
    )
    query = select(PaymentBatch.batch_id).where(
        PaymentBatch.business_date >= since, PaymentBatch.business_date <= as_of, ~debited
    )
    return fetch_arrow(session, query, _BATCHES)
