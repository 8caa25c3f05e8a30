"""What the reconciliation reads from the system of record, as Arrow, facts dated up to a day.

This is the one module that queries other domains' tables for the engine:
narrow columns, whole tables, moved with `fetch_arrow` in the session's
transaction (COPY on PostgreSQL, one JSON array per column on SQLite).
Everything after it is SQL over Arrow in DuckDB.

A rebuild also needs to know WHEN each fact became known to the program
(`knowing=True`), so that it can replay every past run with what that run
knew: the instant the import that brought a row finished, the wall-clock
instant a payouts run created an instruction or a batch, or a provider's
commit arrived. Those `*known_at` columns are read only then; a daily run
knows everything stored and reads none of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    ColumnElement,
    Executable,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from prakerja.audit.models import ImportRun
from prakerja.catalog.service import courses_table
from prakerja.kit.clock import jakarta_days
from prakerja.ledger.accounts import AccountKind
from prakerja.ledger.models import LedgerEntry
from prakerja.payouts.models import (
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.registry.models import Card, Exclusion
from prakerja.schemes.loader import all_schemes
from prakerja.storage.arrow import fetch_arrow
from prakerja.transactions.models import Attendance, InvoiceLine, PlatformEvent, Voucher
from prakerja.transactions.service import first_trainings

_DATE = pa.date32()
_INSTANT = pa.timestamp("us", tz="UTC")

INSTRUCTIONS = pa.schema(
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
RESULTS = pa.schema(
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
BATCHES = pa.schema(
    [("batch_id", pa.string()), ("partner_code", pa.string()), ("business_date", _DATE)]
)
BANK_LINES = pa.schema(
    [
        ("bank_ref", pa.string()),
        ("statement_date", _DATE),
        ("counterparty_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("direction", pa.string()),
        ("batch_id", pa.string()),
    ]
)
CARDS = pa.schema(
    [
        ("card_number", pa.string()),
        ("nik", pa.string()),
        ("wave", pa.int32()),
        ("scheme", pa.string()),
        ("revoked_on", _DATE),
    ]
)
EXCLUSIONS = pa.schema(
    [("nik", pa.string()), ("list_code", pa.string()), ("effective_from", _DATE)]
)
INVOICES = pa.schema(
    [
        ("platform_code", pa.string()),
        ("invoice_no", pa.string()),
        ("voucher_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("invoiced_on", _DATE),
    ]
)
VOUCHERS = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("platform_code", pa.string()),
        ("course_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("purchased_on", _DATE),
        ("redeemed_on", _DATE),
        ("completed_on", _DATE),
        ("refunded_on", _DATE),
    ]
)
ATTENDANCES = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("sequence", pa.int32()),
        ("source", pa.string()),
        ("attended_on", _DATE),
    ]
)
COURSES = pa.schema(
    [("course_code", pa.string()), ("course_type", pa.string()), ("sessions", pa.int32())]
)
SCHEME_RULES = pa.schema(
    [("scheme", pa.string()), ("sla_days", pa.int32()), ("first_tranche_idr", pa.int64())]
)
SCHEME_LISTS = pa.schema([("scheme", pa.string()), ("list_code", pa.string())])
ACCOUNTS = pa.schema([("card_number", pa.string()), ("linked_at", _INSTANT), ("linked_on", _DATE)])
HOLDS = pa.schema([("card_number", pa.string()), ("held_from", _DATE)])
FIRST_TRAININGS = pa.schema(
    [("card_number", pa.string()), ("completed_on", _DATE), ("reviewed_on", _DATE)]
)


@dataclass(frozen=True)
class PaymentFacts:
    """The payment side: instructions, results, batches, the escrow account, who was barred."""

    instructions: pa.Table
    results: pa.Table
    batches: pa.Table
    bank_lines: pa.Table
    cards: pa.Table
    exclusions: pa.Table
    scheme_rules: pa.Table
    scheme_lists: pa.Table


@dataclass(frozen=True)
class InvoiceFacts:
    """The training side: platform invoice lines and the facts that make a voucher payable."""

    invoices: pa.Table
    vouchers: pa.Table
    attendances: pa.Table
    courses: pa.Table


@dataclass(frozen=True)
class ParticipantFacts:
    """The gap report's side: first trainings, payout accounts, first tranches held."""

    first_trainings: pa.Table
    payout_accounts: pa.Table
    holds: pa.Table


@dataclass(frozen=True)
class Facts:
    """Everything the engine reconciles, as Arrow tables named as the SQL files name them."""

    payments: PaymentFacts
    invoices: InvoiceFacts
    participants: ParticipantFacts

    def tables(self) -> dict[str, pa.Table]:
        """Return every table by the name the SQL files use."""
        named: dict[str, pa.Table] = {}
        for part in (self.payments, self.invoices, self.participants):
            named.update({f.name: getattr(part, f.name) for f in fields(part)})
        return named


#: Columns with few distinct values (partners, batches, kinds, states): kept dictionary-encoded.
FEW_VALUES = frozenset({"batch_id", "kind", "partner_code", "state", "status", "failure_code"})


def compact(table: pa.Table) -> pa.Table:
    """Dictionary-encode the columns with few distinct values, with the narrowest indices.

    A partner code or a status then costs one byte a row instead of its text,
    which is what keeps a whole program's instructions in a few gigabytes.
    """
    for position, name in enumerate(table.column_names):
        if name not in FEW_VALUES:
            continue
        encoded = pc.dictionary_encode(table.column(position)).combine_chunks()
        size = len(encoded.dictionary)
        index = pa.int8() if size < 2**7 else pa.int16() if size < 2**15 else pa.int32()
        narrow = encoded.cast(pa.dictionary(index, pa.string()))
        table = table.set_column(position, name, narrow)
    return table


def scheme_tables() -> tuple[pa.Table, pa.Table]:
    """Return the schemes' rules the engine needs: SLA and first tranche, and barring lists."""
    schemes = list(all_schemes().values())
    rules = pa.table(
        {
            "scheme": [s.code for s in schemes],
            "sla_days": pa.array([s.partner_result_sla_days for s in schemes], pa.int32()),
            "first_tranche_idr": pa.array(
                [s.post_training_incentive.amount_idr for s in schemes], pa.int64()
            ),
        },
        schema=SCHEME_RULES,
    )
    pairs = [(s.code, code.value) for s in schemes for code in s.barring_lists]
    lists = pa.table(
        {"scheme": [p[0] for p in pairs], "list_code": [p[1] for p in pairs]}, schema=SCHEME_LISTS
    )
    return rules, lists


def _finished(run_id: InstrumentedAttribute[int | None]) -> ColumnElement[dt.datetime | None]:
    """Return when the import run that brought a row finished (NULL for rows of no import)."""
    return select(ImportRun.finished_at).where(ImportRun.id == run_id).scalar_subquery()


def _event_known(
    event_type: str,
    voucher: InstrumentedAttribute[str],
    sequence: InstrumentedAttribute[int] | None = None,
) -> Any:
    """Return when the earliest applied platform event of a type about `voucher` became known."""
    query = (
        select(func.min(ImportRun.finished_at))
        .join(PlatformEvent, PlatformEvent.import_run_id == ImportRun.id)
        .where(
            PlatformEvent.voucher_code == voucher,
            PlatformEvent.event_type == event_type,
            PlatformEvent.state == "APPLIED",
        )
    )
    if sequence is not None:
        query = query.where(PlatformEvent.sequence == sequence)
    return query.scalar_subquery()


def _with(schema: pa.Schema, *names: str, knowing: bool) -> pa.Schema:
    """Return `schema`, with the knowledge columns `names` appended when `knowing`."""
    if not knowing:
        return schema
    for name in names:
        schema = schema.append(pa.field(name, _INSTANT))
    return schema


def read_payment_facts(session: Session, day: dt.date, *, knowing: bool = False) -> PaymentFacts:
    """Read the payment side as known on `day` (facts dated on or before it)."""
    rules, lists = scheme_tables()
    batches = select(
        PaymentBatch.batch_id, PaymentBatch.partner_code, PaymentBatch.business_date
    ).where(PaymentBatch.business_date <= day)
    bank_lines = select(
        BankStatementLine.bank_ref,
        BankStatementLine.statement_date,
        BankStatementLine.counterparty_code,
        BankStatementLine.amount_idr,
        BankStatementLine.direction,
        BankStatementLine.batch_id,
    ).where(BankStatementLine.statement_date <= day)
    exclusions = select(Exclusion.nik, Exclusion.list_code, Exclusion.effective_from).where(
        Exclusion.effective_from <= day
    )
    if knowing:
        batches = batches.add_columns(PaymentBatch.created_at)
        bank_lines = bank_lines.add_columns(_finished(BankStatementLine.import_run_id))
        exclusions = exclusions.add_columns(_finished(Exclusion.import_run_id))
    return PaymentFacts(
        instructions=compact(
            fetch_arrow(
                session,
                _instructions(day, knowing=knowing),
                _with(INSTRUCTIONS, "known_at", "cancel_known_at", knowing=knowing),
            )
        ),
        results=compact(
            fetch_arrow(
                session, _results(day, knowing=knowing), _with(RESULTS, "known_at", knowing=knowing)
            )
        ),
        batches=fetch_arrow(session, batches, _with(BATCHES, "known_at", knowing=knowing)),
        bank_lines=fetch_arrow(session, bank_lines, _with(BANK_LINES, "known_at", knowing=knowing)),
        cards=read_cards(session),
        exclusions=fetch_arrow(session, exclusions, _with(EXCLUSIONS, "known_at", knowing=knowing)),
        scheme_rules=rules,
        scheme_lists=lists,
    )


def read_cards(session: Session) -> pa.Table:
    """Read every card with its holder's NIK, wave, scheme and revocation day."""
    return fetch_arrow(
        session,
        select(Card.card_number, Card.nik, Card.wave, Card.scheme, Card.revoked_on),
        CARDS,
    )


def _instructions(day: dt.date, *, knowing: bool) -> Executable:
    query = select(
        Instruction.instruction_id,
        Instruction.batch_id,
        Instruction.entitlement_id,
        Instruction.card_number,
        Instruction.kind,
        Instruction.tranche,
        Instruction.attempt,
        Instruction.partner_code,
        Instruction.account_id,
        Instruction.amount_idr,
        Instruction.created_on,
        Instruction.state,
        Instruction.cancelled_on,
    ).where(Instruction.created_on <= day)
    if knowing:
        query = query.add_columns(Instruction.created_at, Instruction.cancelled_at)
    return query


def _results(day: dt.date, *, knowing: bool) -> Executable:
    query = select(
        PartnerResult.partner_code,
        PartnerResult.instruction_id,
        PartnerResult.partner_txn_id,
        PartnerResult.account_id,
        PartnerResult.amount_idr,
        PartnerResult.status,
        PartnerResult.failure_code,
        PartnerResult.processed_at,
        PartnerResult.processed_on,
    ).where(PartnerResult.processed_on <= day)
    if knowing:
        query = query.add_columns(_finished(PartnerResult.import_run_id))
    return query


def read_invoice_facts(session: Session, day: dt.date, *, knowing: bool = False) -> InvoiceFacts:
    """Read the invoice side as known on `day`: invoice lines and the vouchers they claim.

    A provider's commit (a redemption, a session it delivered) is real time:
    it counts from the first run after it arrived, whatever its clock says,
    so its day is not compared with `day` (the engine reads `source`).
    """
    invoiced = select(InvoiceLine.voucher_code).where(InvoiceLine.invoiced_on <= day)
    voucher_query = select(
        Voucher.voucher_code,
        Voucher.platform_code,
        Voucher.course_code,
        Voucher.amount_idr,
        Voucher.purchased_on,
        Voucher.redeemed_at,
        Voucher.completed_on,
        Voucher.refunded_on,
    ).where(Voucher.purchased_on <= day, Voucher.voucher_code.in_(invoiced))
    attendance_query = select(
        Attendance.voucher_code, Attendance.sequence, Attendance.source, Attendance.recorded_at
    ).where(Attendance.voucher_code.in_(invoiced))
    invoice_query = select(
        InvoiceLine.platform_code,
        InvoiceLine.invoice_no,
        InvoiceLine.voucher_code,
        InvoiceLine.amount_idr,
        InvoiceLine.invoiced_on,
    ).where(InvoiceLine.invoiced_on <= day)
    if knowing:
        purchase_known = (
            select(ImportRun.finished_at)
            .join(PlatformEvent, PlatformEvent.import_run_id == ImportRun.id)
            .where(PlatformEvent.id == Voucher.purchase_event_id)
            .scalar_subquery()
        )
        voucher_query = voucher_query.add_columns(
            purchase_known,
            Voucher.redeemed_at,
            _event_known("COMPLETION", Voucher.voucher_code),
            _event_known("REFUND", Voucher.voucher_code),
        )
        platform_known = _event_known("ATTENDANCE", Attendance.voucher_code, Attendance.sequence)
        attendance_query = attendance_query.add_columns(
            case((Attendance.source == "PROVIDER", Attendance.recorded_at), else_=platform_known)
        )
        invoice_query = invoice_query.add_columns(_finished(InvoiceLine.import_run_id))
    vouchers = fetch_arrow(
        session,
        voucher_query,
        _with(
            VOUCHERS.set(5, pa.field("redeemed_at", _INSTANT)),
            "known_at",
            "redeemed_known_at",
            "completed_known_at",
            "refunded_known_at",
            knowing=knowing,
        ),
    )
    vouchers = vouchers.set_column(
        5, pa.field("redeemed_on", _DATE), jakarta_days(vouchers["redeemed_at"])
    )
    attendances = fetch_arrow(
        session,
        attendance_query,
        _with(ATTENDANCES.set(3, pa.field("recorded_at", _INSTANT)), "known_at", knowing=knowing),
    )
    attendances = attendances.set_column(
        3, pa.field("attended_on", _DATE), jakarta_days(attendances["recorded_at"])
    )
    return InvoiceFacts(
        invoices=fetch_arrow(session, invoice_query, _with(INVOICES, "known_at", knowing=knowing)),
        vouchers=vouchers,
        attendances=attendances,
        courses=read_courses(session),
    )


def read_courses(session: Session) -> pa.Table:
    """Read each course's type and number of sessions from the training catalog."""
    return courses_table(session).select(COURSES.names).cast(COURSES)


def read_participant_facts(session: Session, day: dt.date) -> ParticipantFacts:
    """Read what the gap report needs, as known on `day`."""
    trainings = first_trainings(session, as_of=day)
    return ParticipantFacts(
        first_trainings=trainings.select(["card_number", "completed_on", "reviewed_on"]).cast(
            FIRST_TRAININGS
        ),
        payout_accounts=fetch_arrow(
            session,
            select(
                PayoutAccount.card_number, PayoutAccount.linked_at, PayoutAccount.linked_on
            ).where(PayoutAccount.linked_on <= day),
            ACCOUNTS,
        ),
        holds=fetch_arrow(
            session,
            select(Entitlement.card_number, Entitlement.held_from).where(
                Entitlement.kind == "POST_TRAINING",
                Entitlement.tranche == 1,
                Entitlement.held_from <= day,
            ),
            HOLDS,
        ),
    )


@dataclass(frozen=True)
class EscrowBooks:
    """What the program's own ledger says the escrow account should hold at the end of a day.

    The incentive side is the program's own record (what it instructed, what
    partners confirmed); only the money paid in is known from the bank.
    """

    funded_idr: int
    """Paid into the escrow account by its funders (not refunds from payment partners)."""
    paid_idr: int
    """Incentives confirmed credited to participants."""
    in_flight_idr: int
    """Incentives instructed to a partner and not yet confirmed or returned."""

    @property
    def expected_idr(self) -> int:
        """The balance the books expect: funded - paid - in flight."""
        return self.funded_idr - self.paid_idr - self.in_flight_idr


def _balance(kind: AccountKind) -> ColumnElement[int]:
    """Return the summed balance (debits - credits) of every account of a kind."""
    name = kind.value

    def moved(account: InstrumentedAttribute[str]) -> ColumnElement[int]:
        of_kind = or_(account == name, account.like(f"{name}:%"))
        return case((of_kind, LedgerEntry.amount_idr), else_=0)

    return func.coalesce(
        func.sum(moved(LedgerEntry.debit_account) - moved(LedgerEntry.credit_account)), 0
    )


def escrow_books(session: Session, day: dt.date) -> EscrowBooks:
    """Return the escrow account as the program's ledger has it at the end of `day`."""
    funding, paid, in_flight = session.execute(
        select(
            _balance(AccountKind.ESCROW_FUNDING),
            _balance(AccountKind.PAID_OUT),
            _balance(AccountKind.PARTNER_SETTLEMENT),
        ).where(LedgerEntry.effective_on <= day)
    ).one()
    return EscrowBooks(funded_idr=-int(funding), paid_idr=int(paid), in_flight_idr=int(in_flight))
