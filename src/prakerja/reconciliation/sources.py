"""What the reconciliation reads from the system of record, as Arrow, facts dated up to a day.

Every table comes from the fact readers of the domain that owns it
(`registry.facts`, `payouts.facts`, `transactions.facts`, `catalog.service`,
`ledger.service`): narrow columns, whole tables, read by column name, in the
session's transaction. Everything after this module is SQL over Arrow in DuckDB.

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

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.audit.service import import_finished
from prakerja.catalog.service import courses_table
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import account_balance_on, kind_balances_on
from prakerja.payouts import facts as payouts
from prakerja.payouts.codes import REPAYMENT
from prakerja.registry import facts as registry
from prakerja.schemes.loader import all_schemes
from prakerja.transactions import facts as transactions
from prakerja.transactions.service import first_trainings

INSTRUCTIONS = payouts.INSTRUCTION_SCHEMA
RESULTS = payouts.RESULT_SCHEMA
BATCHES = payouts.BATCH_SCHEMA
BANK_LINES = payouts.BANK_LINE_SCHEMA
ACCOUNTS = payouts.ACCOUNT_SCHEMA
HOLDS = payouts.HOLD_SCHEMA
CARDS = registry.CARD_HOLDER_SCHEMA
EXCLUSIONS = registry.EXCLUSION_SCHEMA
INVOICES = transactions.INVOICE_SCHEMA
VOUCHERS = transactions.VOUCHER_SCHEMA
ATTENDANCES = transactions.ATTENDANCE_SCHEMA
COURSES = pa.schema(
    [("course_code", pa.string()), ("course_type", pa.string()), ("sessions", pa.int32())]
)
SCHEME_RULES = pa.schema(
    [("scheme", pa.string()), ("sla_days", pa.int32()), ("first_tranche_idr", pa.int64())]
)
SCHEME_LISTS = pa.schema([("scheme", pa.string()), ("list_code", pa.string())])
FIRST_TRAININGS = pa.schema(
    [("card_number", pa.string()), ("completed_on", pa.date32()), ("reviewed_on", pa.date32())]
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


def read_payment_facts(session: Session, *, day: dt.date, knowing: bool = False) -> PaymentFacts:
    """Read the payment side as known on `day` (facts dated on or before it)."""
    rules, lists = scheme_tables()
    return PaymentFacts(
        instructions=compact(payouts.instructions(session, as_of=day, knowing=knowing)),
        results=compact(payouts.partner_results(session, as_of=day, knowing=knowing)),
        batches=payouts.batches(session, as_of=day, knowing=knowing),
        bank_lines=payouts.bank_lines(session, as_of=day, knowing=knowing),
        cards=read_cards(session),
        exclusions=registry.exclusions(
            session, as_of=day, known_at=import_finished if knowing else None
        ),
        scheme_rules=rules,
        scheme_lists=lists,
    )


def read_cards(session: Session) -> pa.Table:
    """Read every card with its holder's NIK, wave, scheme and revocation day."""
    return registry.card_holders(session)


def read_invoice_facts(session: Session, *, day: dt.date, knowing: bool = False) -> InvoiceFacts:
    """Read the invoice side as known on `day`: invoice lines and the vouchers they claim.

    A provider's commit (a redemption, a session it delivered) is real time:
    it counts from the first run after it arrived, whatever its clock says,
    so its day is not compared with `day` (the engine reads `source`).
    """
    return InvoiceFacts(
        invoices=transactions.invoice_lines(session, as_of=day, knowing=knowing),
        vouchers=transactions.invoiced_vouchers(session, as_of=day, knowing=knowing),
        attendances=transactions.invoiced_attendances(session, as_of=day, knowing=knowing),
        courses=read_courses(session),
    )


def read_courses(session: Session) -> pa.Table:
    """Read each course's type and number of sessions from the training catalog."""
    return courses_table(session).select(COURSES.names).cast(COURSES)


def read_participant_facts(session: Session, *, day: dt.date) -> ParticipantFacts:
    """Read what the gap report needs, as known on `day`."""
    trainings = first_trainings(session, as_of=day)
    return ParticipantFacts(
        first_trainings=trainings.select(FIRST_TRAININGS.names).cast(FIRST_TRAININGS),
        payout_accounts=payouts.payout_accounts(session, as_of=day),
        holds=payouts.first_tranche_holds(session, as_of=day),
    )


@dataclass(frozen=True)
class EscrowBooks:
    """What the program's own ledger says the escrow account should hold at the end of a day.

    The incentive side is the program's own record (what it instructed, what
    partners confirmed); only the money paid in is known from the bank.
    """

    funded_idr: int
    """Paid into the escrow account by its funders (not refunds, not repayments)."""
    paid_idr: int
    """Incentives confirmed credited to participants."""
    in_flight_idr: int
    """Incentives instructed to a partner and not yet confirmed or returned."""
    repaid_idr: int = 0
    """Repayments of ineligible payments received from participants (claimed or not)."""
    written_off_idr: int = 0
    """Taken by the bank beyond a batch (its fee) and written off by finance."""

    @property
    def expected_idr(self) -> int:
        """The balance the books expect: funded + repaid - paid - in flight - written off."""
        return (
            self.funded_idr
            + self.repaid_idr
            - self.paid_idr
            - self.in_flight_idr
            - self.written_off_idr
        )


def escrow_books(session: Session, *, day: dt.date) -> EscrowBooks:
    """Return the escrow account as the program's ledger has it at the end of `day`."""
    kinds = (
        AccountKind.ESCROW_FUNDING,
        AccountKind.PAID_OUT,
        AccountKind.PARTNER_SETTLEMENT,
        AccountKind.ESCROW_WRITTEN_OFF,
    )
    balances = kind_balances_on(session, kinds=kinds, as_of=day)
    repaid = -account_balance_on(
        session, account_name=account(AccountKind.ESCROW_FUNDING, REPAYMENT), as_of=day
    )
    return EscrowBooks(
        funded_idr=-balances[AccountKind.ESCROW_FUNDING] - repaid,
        paid_idr=balances[AccountKind.PAID_OUT],
        in_flight_idr=balances[AccountKind.PARTNER_SETTLEMENT],
        repaid_idr=repaid,
        written_off_idr=balances[AccountKind.ESCROW_WRITTEN_OFF],
    )


def read_facts(session: Session, *, day: dt.date, knowing: bool = False) -> Facts:
    """Read everything the engine reconciles, as known on `day` (with when, if `knowing`)."""
    return Facts(
        payments=read_payment_facts(session, day=day, knowing=knowing),
        invoices=read_invoice_facts(session, day=day, knowing=knowing),
        participants=read_participant_facts(session, day=day),
    )
