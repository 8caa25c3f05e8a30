"""Synthetic reconciliation facts as the product's own rows, table by table.

`reconciliation_data.generate` makes the facts as the engine reads them;
this module maps them to the tables the product stores them in
(registrations, cards, exclusions, platform events, vouchers, payout
accounts, entitlements, batches, instructions, results, bank lines) and
adds the ledger entries those facts imply (cards funded, purchases,
incentives due, sent, paid or failed, the bank's lines): what
`escrow_books` sums. Used by the busy-day and the full-history benches.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine

from prakerja.ledger.models import LedgerEntry
from prakerja.payouts.models import (
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.reconciliation.engine import connect_facts, evaluate_on
from prakerja.reconciliation.escrow import escrow_on
from prakerja.reconciliation.gap import gap_on
from prakerja.reconciliation.service import read_facts
from prakerja.reconciliation.sources import Facts, escrow_books
from prakerja.registry.models import Card, Exclusion, Registration
from prakerja.storage.db import session_factory
from prakerja.transactions.models import PlatformEvent, Voucher

INSTANT = pa.timestamp("us", tz="UTC")


def plain(table: pa.Table) -> pa.Table:
    """Return `table` with its dictionary-encoded columns as plain text."""
    for position, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(position, field.name, pc.cast(table[field.name], pa.string()))
    return table


def constant(value: object, count: int, kind: pa.DataType) -> pa.Array:
    """Return `value` repeated `count` times."""
    return pa.array([value] * count, kind)


def _next_day(days: pa.ChunkedArray | pa.Array) -> pa.Array:
    return pc.cast(pc.add(pc.cast(days, pa.int32()), pa.scalar(1, pa.int32())), pa.date32())


def _movements(
    keys: pa.Array,
    kind: str,
    debit: pa.Array | str,
    credit: pa.Array | str,
    amounts: pa.Array,
    days: pa.Array | dt.date,
    created_at: dt.datetime,
) -> pa.Table:
    """Ledger entries, one per key (scalars repeat), as the product's services post them."""
    count = len(keys)

    def column(value: pa.Array | str | dt.date, kind: pa.DataType) -> pa.Array:
        if isinstance(value, pa.Array | pa.ChunkedArray):
            return value
        return constant(value, count, kind)

    return pa.table(
        {
            "idempotency_key": keys,
            "entry_kind": constant(kind, count, pa.string()),
            "debit_account": column(debit, pa.string()),
            "credit_account": column(credit, pa.string()),
            "amount_idr": pc.cast(amounts, pa.int64()),
            "effective_on": column(days, pa.date32()),
            "reference": keys,
            "created_at": constant(created_at, count, INSTANT),
        }
    )


def _participant_ledger(
    cards: pa.Table, vouchers: pa.Array, sent: pa.Table, first_day: dt.date, when: dt.datetime
) -> pa.Table:
    """Cards funded, trainings bought, incentives due, sent, paid or failed (the next day)."""
    numbers = cards["card_number"]
    succeeded = sent.filter(pc.equal(sent["state"], "SUCCEEDED"))
    failed = sent.filter(pc.equal(sent["state"], "FAILED"))

    def settlement(rows: pa.Table) -> pa.Array:
        return pc.binary_join_element_wise("PARTNER_SETTLEMENT", rows["partner_code"], ":")

    def keyed(prefix: str, rows: pa.Table) -> pa.Array:
        return pc.binary_join_element_wise(prefix, rows["instruction_id"], ":")

    def balance() -> pa.Array:
        return pc.binary_join_element_wise("TRAINING_BALANCE", numbers, ":")

    amounts = sent["amount_idr"]
    return pa.concat_tables(
        [
            _movements(
                pc.binary_join_element_wise("CARD_FUNDED", numbers, ":"),
                "CARD_FUNDED",
                balance(),
                "PROGRAM_FUND",
                constant(1_000_000, len(numbers), pa.int64()),
                first_day - dt.timedelta(days=20),
                when,
            ),
            _movements(
                pc.binary_join_element_wise("SPEND", vouchers, ":"),
                "TRAINING_PURCHASE",
                "PLATFORM_PAYABLE:TOKOPEDIA",
                balance(),
                constant(750_000, len(numbers), pa.int64()),
                first_day - dt.timedelta(days=15),
                when,
            ),
            _movements(
                keyed("DUE", sent),
                "INCENTIVE_DUE",
                "INCENTIVE_PAYABLE",
                "PROGRAM_FUND",
                amounts,
                sent["created_on"],
                when,
            ),
            _movements(
                keyed("SENT", sent),
                "INCENTIVE_INSTRUCTED",
                settlement(sent),
                "INCENTIVE_PAYABLE",
                amounts,
                sent["created_on"],
                when,
            ),
            _movements(
                keyed("PAID", succeeded),
                "INCENTIVE_PAID",
                "PAID_OUT",
                settlement(succeeded),
                succeeded["amount_idr"],
                _next_day(succeeded["created_on"]),
                when,
            ),
            _movements(
                keyed("FAILED", failed),
                "INCENTIVE_FAILED",
                "INCENTIVE_RETURNED",
                settlement(failed),
                failed["amount_idr"],
                _next_day(failed["created_on"]),
                when,
            ),
        ]
    )


def _bank_ledger(bank: pa.Table, when: dt.datetime) -> pa.Table:
    """The escrow movements the bank's lines post."""
    debit = pc.equal(bank["direction"], "DEBIT")
    counterparty = pc.binary_join_element_wise(
        pc.if_else(debit, "PARTNER_FUNDS", "ESCROW_FUNDING"), bank["counterparty_code"], ":"
    )
    return _movements(
        pc.binary_join_element_wise("BANK", bank["bank_ref"], ":"),
        "ESCROW_MOVEMENT",
        pc.if_else(debit, counterparty, "ESCROW"),
        pc.if_else(debit, "ESCROW", counterparty),
        bank["amount_idr"],
        bank["statement_date"],
        when,
    )


def _digits(values: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(values, pa.string()), width=width, padding="0")


@dataclass(frozen=True)
class Rows:
    """One slice of a program as the product's rows, and its instructions with their state."""

    tables: dict[type, pa.Table]
    sent: pa.Table


def participant_rows(facts: Facts, *, first_day: dt.date, first_id: int = 1) -> Rows:
    """Everything but batches and bank lines: the rows of the participants in `facts`.

    Numbered ids (registrations, platform events) start at `first_id`; every
    instant is 01:00 UTC on `first_day`, before anything is reconciled.
    """
    pay = facts.payments
    cards = pay.cards
    n = cards.num_rows
    instant = dt.datetime.combine(first_day, dt.time(1), tzinfo=dt.UTC)
    when = constant(instant, n, INSTANT)
    ids = pa.array(range(first_id, first_id + n), pa.int64())
    day = pa.date32()
    sent = plain(pay.instructions).drop_columns(["cancelled_on"])
    results = plain(pay.results)
    answered = pc.is_in(sent["instruction_id"], value_set=results["instruction_id"])
    succeeded = pc.is_in(
        sent["instruction_id"],
        value_set=pc.filter(results["instruction_id"], pc.equal(results["status"], "SUCCESS")),
    )
    sent = sent.set_column(
        sent.schema.get_field_index("state"),
        "state",
        pc.if_else(succeeded, "SUCCEEDED", pc.if_else(answered, "FAILED", "OPEN")),
    )
    vouchers = pc.binary_join_element_wise("V", _digits(ids, 10), "")
    accounts = pc.utf8_slice_codeunits(cards["card_number"], 6)

    def on(offset: int, count: int = n) -> pa.Array:
        return constant(first_day + dt.timedelta(days=offset), count, day)

    tables: dict[type, pa.Table] = {
        Registration: pa.table(
            {
                "id": ids,
                "wave": cards["wave"],
                "nik": cards["nik"],
                "kk_number": cards["nik"],
                "full_name": constant("PESERTA", n, pa.string()),
            }
        ),
        Card: pa.table(
            {
                "card_number": cards["card_number"],
                "nik": cards["nik"],
                "registration_id": ids,
                "kk_number": cards["nik"],
                "wave": cards["wave"],
                "scheme": cards["scheme"],
                "issued_on": on(-20),
                "purchase_deadline": on(10),
                "balance_expires_on": on(400),
                "initial_balance_idr": constant(1_000_000, n, pa.int64()),
                "balance_idr": constant(250_000, n, pa.int64()),
                "first_purchase_on": on(-15),
                "status": constant("ACTIVE", n, pa.string()),
            }
        ),
        Exclusion: pa.table(
            {
                "nik": pay.exclusions["nik"],
                "list_code": pay.exclusions["list_code"],
                "period": constant("2020-04", pay.exclusions.num_rows, pa.string()),
                "effective_from": pay.exclusions["effective_from"],
            }
        ),
        PlatformEvent: pa.table(
            {
                "id": ids,
                "platform_code": constant("TOKOPEDIA", n, pa.string()),
                "event_id": vouchers,
                "event_type": constant("PURCHASE", n, pa.string()),
                "occurred_at": when,
                "occurred_on": on(-15),
                "card_number": cards["card_number"],
                "course_code": constant("C-0001", n, pa.string()),
                "voucher_code": vouchers,
                "amount_idr": constant(750_000, n, pa.int64()),
                "state": constant("APPLIED", n, pa.string()),
            }
        ),
        Voucher: pa.table(
            {
                "voucher_code": vouchers,
                "card_number": cards["card_number"],
                "course_code": constant("C-0001", n, pa.string()),
                "platform_code": constant("TOKOPEDIA", n, pa.string()),
                "purchase_event_id": ids,
                "purchased_at": when,
                "purchased_on": on(-15),
                "amount_idr": constant(750_000, n, pa.int64()),
                "completed_at": when,
                "completed_on": on(-5),
                "reviewed_at": when,
                "reviewed_on": on(-4),
            }
        ),
        PayoutAccount: pa.table(
            {
                "card_number": cards["card_number"],
                "partner_code": constant("OVO", n, pa.string()),
                "account_id": pc.binary_join_element_wise("08", accounts, ""),
                "account_name": constant("PESERTA", n, pa.string()),
                "linked_at": when,
                "linked_on": on(-10),
            }
        ),
        Entitlement: pa.table(
            {
                "id": sent["entitlement_id"],
                "card_number": sent["card_number"],
                "kind": sent["kind"],
                "tranche": sent["tranche"],
                "amount_idr": sent["amount_idr"],
                "due_on": sent["created_on"],
                "created_at": constant(instant, sent.num_rows, INSTANT),
            }
        ),
        PaymentBatch: batch_rows(sent, instant),
        Instruction: sent.append_column(
            "beneficiary_name", constant("PESERTA", sent.num_rows, pa.string())
        ).append_column("created_at", constant(instant, sent.num_rows, INSTANT)),
        PartnerResult: results,
        LedgerEntry: _participant_ledger(cards, vouchers, sent, first_day, instant),
    }
    return Rows(tables=tables, sent=sent)


def batch_totals(sent: pa.Table) -> pa.Table:
    """Each batch's partner, business day, total and count, from instructions (or totals)."""
    if "total" in sent.column_names:
        grouped = sent.group_by(["batch_id", "partner_code", "business_date"]).aggregate(
            [("total", "sum"), ("count", "sum")]
        )
        names = ["batch_id", "partner_code", "business_date", "total_sum", "count_sum"]
    else:
        grouped = sent.group_by(["batch_id", "partner_code", "created_on"]).aggregate(
            [("amount_idr", "sum"), ("amount_idr", "count")]
        )
        names = ["batch_id", "partner_code", "created_on", "amount_idr_sum", "amount_idr_count"]
    return grouped.select(names).rename_columns(
        ["batch_id", "partner_code", "business_date", "total", "count"]
    )


def batch_rows(sent: pa.Table, instant: dt.datetime) -> pa.Table:
    """The payment batches of `sent` (instructions or batch totals), as a payouts run makes."""
    totals = batch_totals(sent)
    return pa.table(
        {
            "batch_id": totals["batch_id"],
            "partner_code": totals["partner_code"],
            "business_date": totals["business_date"],
            "run_number": constant(1, totals.num_rows, pa.int32()),
            "instruction_count": pc.cast(totals["count"], pa.int32()),
            "total_amount_idr": totals["total"],
            "created_at": constant(instant, totals.num_rows, INSTANT),
        }
    )


def bank_rows(lines: pa.Table, instant: dt.datetime) -> dict[type, pa.Table]:
    """The bank's lines and the ledger entries they post."""
    lines = plain(lines)
    return {BankStatementLine: lines, LedgerEntry: _bank_ledger(lines, instant)}


def day_rows(facts: Facts, *, first_day: dt.date, first_id: int = 1) -> dict[type, pa.Table]:
    """Every row of `facts` (a day, or a program small enough to build at once), in load order."""
    rows = participant_rows(facts, first_day=first_day, first_id=first_id)
    tables = dict(rows.tables)
    instant = dt.datetime.combine(first_day, dt.time(1), tzinfo=dt.UTC)
    bank = bank_rows(facts.payments.bank_lines, instant)
    ledger = pa.concat_tables([tables.pop(LedgerEntry), bank[LedgerEntry]])
    return {**tables, BankStatementLine: bank[BankStatementLine], LedgerEntry: ledger}


@dataclass(frozen=True)
class Phases:
    """Median seconds of each phase of a daily run, measured apart."""

    read_facts: float
    escrow_books: float
    engine: float


def phases(engine: Engine, day: dt.date, runs: int) -> Phases:
    """Time reading the facts, summing the ledger, and the engine alone on those facts."""
    reads, books_read, engines = [], [], []
    for _ in range(runs):
        with session_factory(engine)() as session:
            start = time.perf_counter()
            facts = read_facts(session, day=day)
            reads.append(time.perf_counter() - start)
            start = time.perf_counter()
            books = escrow_books(session, day=day)
            books_read.append(time.perf_counter() - start)
        start = time.perf_counter()
        connection = connect_facts(facts)
        try:
            evaluate_on(connection, day)
            gap_on(connection, day)
            escrow_on(connection, day, books)
        finally:
            connection.close()
        engines.append(time.perf_counter() - start)
        del facts
    return Phases(
        read_facts=statistics.median(reads),
        escrow_books=statistics.median(books_read),
        engine=statistics.median(engines),
    )
