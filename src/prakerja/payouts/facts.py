"""The payout flow's fact readers for other domains: Arrow tables, columns by name.

Each reader returns the facts dated on or before a day; with `knowing=True`
it adds when each fact became known to the program (`known_at`, and for an
instruction `cancel_known_at`): the instant a payouts run created it, or the
import that brought it finished. A daily reconciliation reads none of those.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from sqlalchemy import Executable, select
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


def partner_results(session: Session, *, as_of: dt.date, knowing: bool = False) -> pa.Table:
    """Return the payment partners' results processed by `as_of` (RESULT_SCHEMA)."""
    query = select(*(getattr(PartnerResult, name) for name in RESULT_SCHEMA.names)).where(
        PartnerResult.processed_on <= as_of
    )
    if not knowing:
        return _read(session, query, RESULT_SCHEMA)
    query = query.add_columns(import_finished(PartnerResult.import_run_id))
    return _read(session, query, RESULT_SCHEMA, "known_at")


def batches(session: Session, *, as_of: dt.date, knowing: bool = False) -> pa.Table:
    """Return the payment batches of business days up to `as_of` (BATCH_SCHEMA)."""
    query = select(PaymentBatch.batch_id, PaymentBatch.partner_code, PaymentBatch.business_date)
    query = query.where(PaymentBatch.business_date <= as_of)
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


def payout_accounts(session: Session, *, as_of: dt.date) -> pa.Table:
    """Return the payout accounts linked by `as_of` (ACCOUNT_SCHEMA)."""
    query = select(
        PayoutAccount.card_number, PayoutAccount.linked_at, PayoutAccount.linked_on
    ).where(PayoutAccount.linked_on <= as_of)
    return fetch_arrow(session, query, ACCOUNT_SCHEMA)


def first_tranche_holds(session: Session, *, as_of: dt.date) -> pa.Table:
    """Return each card whose first post-training tranche is held by `as_of` (HOLD_SCHEMA)."""
    query = select(Entitlement.card_number, Entitlement.held_from).where(
        Entitlement.kind == IncentiveKind.POST_TRAINING.value,
        Entitlement.tranche == 1,
        Entitlement.held_from <= as_of,
    )
    return fetch_arrow(session, query, HOLD_SCHEMA)
