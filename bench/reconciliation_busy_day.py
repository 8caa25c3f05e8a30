"""A busy day: 40,000 instructions with their results, reconciled from the real database.

On SQLite (a file) and on PostgreSQL (a fresh schema; skipped when the
server is not reachable), the day's facts are loaded first - cards,
entitlements, one batch per partner, 40,000 instructions, their results,
the escrow debits, the participants' trainings and accounts, and the ledger
entries those facts imply (cards funded, purchases, incentives due, sent,
paid or failed, the bank's lines) - and that load is reported separately
("imports"). Then `prakerja reconcile` does its work
(`reconciliation.service.reconcile` and the commit): read the tables as
Arrow, run the engine in DuckDB, compare with the stored breaks and write
them, compute the gap report and the escrow proof. The first run opens the
day's breaks; the next runs (the following days) find them again. Measured
in the same run, as baselines on a noisy machine: reading the facts alone
(`read_facts`), summing the ledger for the escrow proof (`escrow_books`) and
the engine alone on those facts (pairing, conditions, gap, escrow proof in
DuckDB; no break store).

    .venv/bin/python bench/reconciliation_busy_day.py [--instructions 40000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import Engine, create_engine, text  # noqa: E402

from prakerja.ledger.models import LedgerEntry  # noqa: E402
from prakerja.payouts.models import (  # noqa: E402
    BankStatementLine,
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.reconciliation.engine import connect_facts, evaluate_on  # noqa: E402
from prakerja.reconciliation.escrow import escrow_on  # noqa: E402
from prakerja.reconciliation.gap import gap_on  # noqa: E402
from prakerja.reconciliation.service import read_facts, reconcile  # noqa: E402
from prakerja.reconciliation.sources import escrow_books  # noqa: E402
from prakerja.registry.models import Card, Exclusion, Registration  # noqa: E402
from prakerja.storage.base import table_of  # noqa: E402
from prakerja.storage.bulk import insert_new_rows  # noqa: E402
from prakerja.storage.db import make_engine, session_factory, unit_of_work  # noqa: E402
from prakerja.storage.migrate import upgrade  # noqa: E402
from prakerja.transactions.models import PlatformEvent, Voucher  # noqa: E402
from reconciliation_data import FIRST_DAY, generate  # noqa: E402

POSTGRES = os.environ.get(
    "PRAKERJA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DAY = FIRST_DAY + dt.timedelta(days=1)


def _plain(table: pa.Table) -> pa.Table:
    for position, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(position, field.name, pc.cast(table[field.name], pa.string()))
    return table


def _constant(value: object, count: int, kind: pa.DataType) -> pa.Array:
    return pa.array([value] * count, kind)


def _movements(
    keys: pa.Array,
    kind: str,
    debit: pa.Array | str,
    credit: pa.Array | str,
    amounts: pa.Array,
    days: pa.Array | dt.date,
) -> pa.Table:
    """Ledger entries, one per key (scalars repeat), as the product's services post them."""
    count = len(keys)

    def column(value: pa.Array | str | dt.date, kind: pa.DataType) -> pa.Array:
        if isinstance(value, pa.Array | pa.ChunkedArray):
            return value
        return _constant(value, count, kind)

    return pa.table(
        {
            "idempotency_key": keys,
            "entry_kind": _constant(kind, count, pa.string()),
            "debit_account": column(debit, pa.string()),
            "credit_account": column(credit, pa.string()),
            "amount_idr": pc.cast(amounts, pa.int64()),
            "effective_on": column(days, pa.date32()),
            "reference": keys,
            "created_at": _constant(
                dt.datetime.combine(FIRST_DAY, dt.time(1), tzinfo=dt.UTC),
                count,
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )


def _ledger(cards: pa.Table, vouchers: pa.Array, sent: pa.Table, bank: pa.Table) -> pa.Table:
    """The ledger entries the day's facts imply: what `escrow_books` sums for the escrow proof."""
    numbers = cards["card_number"]
    succeeded = sent.filter(pc.equal(sent["state"], "SUCCEEDED"))
    failed = sent.filter(pc.equal(sent["state"], "FAILED"))
    debit = pc.equal(bank["direction"], "DEBIT")
    counterparty = pc.binary_join_element_wise(
        pc.if_else(debit, "PARTNER_FUNDS", "ESCROW_FUNDING"), bank["counterparty_code"], ":"
    )

    def settlement(rows: pa.Table) -> pa.Array:
        return pc.binary_join_element_wise("PARTNER_SETTLEMENT", rows["partner_code"], ":")

    def keyed(prefix: str, rows: pa.Table) -> pa.Array:
        return pc.binary_join_element_wise(prefix, rows["instruction_id"], ":")

    return pa.concat_tables(
        [
            _movements(
                pc.binary_join_element_wise("CARD_FUNDED", numbers, ":"),
                "CARD_FUNDED",
                pc.binary_join_element_wise("TRAINING_BALANCE", numbers, ":"),
                "PROGRAM_FUND",
                _constant(1_000_000, len(numbers), pa.int64()),
                FIRST_DAY - dt.timedelta(days=20),
            ),
            _movements(
                pc.binary_join_element_wise("SPEND", vouchers, ":"),
                "TRAINING_PURCHASE",
                "PLATFORM_PAYABLE:TOKOPEDIA",
                pc.binary_join_element_wise("TRAINING_BALANCE", numbers, ":"),
                _constant(750_000, len(numbers), pa.int64()),
                FIRST_DAY - dt.timedelta(days=15),
            ),
            _movements(
                keyed("DUE", sent),
                "INCENTIVE_DUE",
                "INCENTIVE_PAYABLE",
                "PROGRAM_FUND",
                sent["amount_idr"],
                sent["created_on"],
            ),
            _movements(
                keyed("SENT", sent),
                "INCENTIVE_INSTRUCTED",
                settlement(sent),
                "INCENTIVE_PAYABLE",
                sent["amount_idr"],
                sent["created_on"],
            ),
            _movements(
                keyed("PAID", succeeded),
                "INCENTIVE_PAID",
                "PAID_OUT",
                settlement(succeeded),
                succeeded["amount_idr"],
                DAY,
            ),
            _movements(
                keyed("FAILED", failed),
                "INCENTIVE_FAILED",
                "INCENTIVE_RETURNED",
                settlement(failed),
                failed["amount_idr"],
                DAY,
            ),
            _movements(
                pc.binary_join_element_wise("BANK", bank["bank_ref"], ":"),
                "ESCROW_MOVEMENT",
                pc.if_else(debit, counterparty, "ESCROW"),
                pc.if_else(debit, "ESCROW", counterparty),
                bank["amount_idr"],
                bank["statement_date"],
            ),
        ]
    )


def _tables(instructions: int) -> dict[type, pa.Table]:
    """The day's rows for each table, built from the synthetic facts."""
    facts = generate(instructions, spread_days=1, tranches=1)
    pay = facts.payments
    cards = pay.cards
    n = cards.num_rows
    when = _constant(
        dt.datetime.combine(FIRST_DAY, dt.time(1), tzinfo=dt.UTC), n, pa.timestamp("us", tz="UTC")
    )
    registration_ids = pa.array(range(1, n + 1), pa.int64())
    day = pa.date32()
    sent = _plain(pay.instructions).drop_columns(["cancelled_on"])
    results = _plain(pay.results)
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
    batches = _plain(pay.batches)
    totals = sent.group_by("batch_id").aggregate([("amount_idr", "sum"), ("amount_idr", "count")])
    batches = batches.join(totals, "batch_id")
    vouchers = [f"V{i:09d}" for i in range(n)]
    return {
        Registration: pa.table(
            {
                "id": registration_ids,
                "wave": cards["wave"],
                "nik": cards["nik"],
                "kk_number": cards["nik"],
                "full_name": _constant("PESERTA", n, pa.string()),
            }
        ),
        Card: pa.table(
            {
                "card_number": cards["card_number"],
                "nik": cards["nik"],
                "registration_id": registration_ids,
                "kk_number": cards["nik"],
                "wave": cards["wave"],
                "scheme": cards["scheme"],
                "issued_on": _constant(FIRST_DAY - dt.timedelta(days=20), n, day),
                "purchase_deadline": _constant(FIRST_DAY + dt.timedelta(days=10), n, day),
                "balance_expires_on": _constant(dt.date(2020, 12, 15), n, day),
                "initial_balance_idr": _constant(1_000_000, n, pa.int64()),
                "balance_idr": _constant(250_000, n, pa.int64()),
                "first_purchase_on": _constant(FIRST_DAY - dt.timedelta(days=15), n, day),
                "status": _constant("ACTIVE", n, pa.string()),
            }
        ),
        Exclusion: pa.table(
            {
                "nik": pay.exclusions["nik"],
                "list_code": pay.exclusions["list_code"],
                "period": _constant("2020-04", pay.exclusions.num_rows, pa.string()),
                "effective_from": pay.exclusions["effective_from"],
            }
        ),
        PlatformEvent: pa.table(
            {
                "id": registration_ids,
                "platform_code": _constant("TOKOPEDIA", n, pa.string()),
                "event_id": pa.array(vouchers),
                "event_type": _constant("PURCHASE", n, pa.string()),
                "occurred_at": when,
                "occurred_on": _constant(FIRST_DAY - dt.timedelta(days=15), n, day),
                "card_number": cards["card_number"],
                "course_code": _constant("C-0001", n, pa.string()),
                "voucher_code": pa.array(vouchers),
                "amount_idr": _constant(750_000, n, pa.int64()),
                "state": _constant("APPLIED", n, pa.string()),
            }
        ),
        Voucher: pa.table(
            {
                "voucher_code": pa.array(vouchers),
                "card_number": cards["card_number"],
                "course_code": _constant("C-0001", n, pa.string()),
                "platform_code": _constant("TOKOPEDIA", n, pa.string()),
                "purchase_event_id": registration_ids,
                "purchased_at": when,
                "purchased_on": _constant(FIRST_DAY - dt.timedelta(days=15), n, day),
                "amount_idr": _constant(750_000, n, pa.int64()),
                "completed_at": when,
                "completed_on": _constant(FIRST_DAY - dt.timedelta(days=5), n, day),
                "reviewed_at": when,
                "reviewed_on": _constant(FIRST_DAY - dt.timedelta(days=4), n, day),
            }
        ),
        PayoutAccount: pa.table(
            {
                "card_number": cards["card_number"],
                "partner_code": _constant("OVO", n, pa.string()),
                "account_id": pa.array([f"08{i:010d}" for i in range(n)]),
                "account_name": _constant("PESERTA", n, pa.string()),
                "linked_at": when,
                "linked_on": _constant(FIRST_DAY - dt.timedelta(days=10), n, day),
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
                "created_at": _constant(
                    when[0].as_py(), sent.num_rows, pa.timestamp("us", tz="UTC")
                ),
            }
        ),
        PaymentBatch: pa.table(
            {
                "batch_id": batches["batch_id"],
                "partner_code": batches["partner_code"],
                "business_date": batches["business_date"],
                "run_number": _constant(1, batches.num_rows, pa.int32()),
                "instruction_count": pc.cast(batches["amount_idr_count"], pa.int32()),
                "total_amount_idr": batches["amount_idr_sum"],
                "created_at": _constant(
                    when[0].as_py(), batches.num_rows, pa.timestamp("us", tz="UTC")
                ),
            }
        ),
        Instruction: sent.append_column(
            "beneficiary_name", _constant("PESERTA", sent.num_rows, pa.string())
        ).append_column(
            "created_at", _constant(when[0].as_py(), sent.num_rows, pa.timestamp("us", tz="UTC"))
        ),
        PartnerResult: results,
        BankStatementLine: _plain(pay.bank_lines),
        LedgerEntry: _ledger(cards, pa.array(vouchers), sent, _plain(pay.bank_lines)),
    }


def _load(engine: Engine, tables: dict[type, pa.Table]) -> float:
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        for model, rows in tables.items():
            insert_new_rows(session, table_of(model), rows)
    return time.perf_counter() - start


def _reconcile_runs(engine: Engine, runs: int) -> list[float]:
    seconds = []
    for offset in range(runs):
        start = time.perf_counter()
        with session_factory(engine)() as session:
            summary = reconcile(session, day=DAY + dt.timedelta(days=offset), actor="bench")
            session.commit()
        seconds.append(time.perf_counter() - start)
        if offset == 0 and summary.gap and summary.escrow:
            print(
                f"    first run opened {summary.opened} breaks; {summary.gap.sentence()} "
                f"Escrow: the bank's closing balance less the ledger's is "
                f"Rp {summary.escrow.difference_idr:,}."
            )
    return seconds


def _baselines(engine: Engine, day: dt.date, runs: int) -> tuple[float, float, float]:
    """Median seconds of reading the facts, of summing the ledger, and of the engine alone."""
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
    return statistics.median(reads), statistics.median(books_read), statistics.median(engines)


def _report(name: str, engine: Engine, instructions: int, runs: int) -> None:
    upgrade(engine)
    tables = _tables(instructions)
    loaded = _load(engine, tables)
    rows = sum(t.num_rows for t in tables.values())
    print(f"{name}: imports {loaded:.2f}s ({rows:,} rows; not part of the figure)")
    seconds = _reconcile_runs(engine, runs)
    print(
        f"{name}: reconcile {instructions:,} instructions with results: "
        f"first run {seconds[0]:.2f}s "
        f"(every break new), then median {statistics.median(seconds[1:]):.2f}s "
        f"(min {min(seconds[1:]):.2f}s) over {runs - 1} days"
    )
    reading, ledger, alone = _baselines(engine, DAY + dt.timedelta(days=runs - 1), runs - 1)
    print(
        f"{name}: baselines (median of {runs - 1}): reading the facts {reading:.2f}s, "
        f"the ledger's books {ledger:.2f}s, the engine alone {alone:.2f}s; "
        f"a next day's run is {statistics.median(seconds[1:]) / alone:.1f}x the engine alone"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instructions", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = make_engine(f"sqlite:///{Path(folder) / 'busy-day.db'}")
        _report("SQLite", sqlite, args.instructions, args.runs)
        sqlite.dispose()
    schema = f"bench_busy_day_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(make_engine(POSTGRES).url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"PostgreSQL: skipped ({type(exc).__name__})")
        return
    try:
        separator = "&" if "?" in POSTGRES else "?"
        postgres = make_engine(f"{POSTGRES}{separator}options=-csearch_path%3D{schema}")
        _report("PostgreSQL", postgres, args.instructions, args.runs)
        postgres.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
