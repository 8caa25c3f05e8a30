"""Benchmark: `payouts run` for a busy day, and importing the partners' results.

Builds N cards whose first training was completed and reviewed and whose
account is linked, all falling due on the same day, as set-based inserts;
then times, through the product's own code paths (the same ones the CLI
runs): `payouts run` for that day (time rules, instructions, ledger, files),
and `import partner-results` of one result per instruction (a tenth failed).
Baseline, measured in the same run: reading and parsing the results file
with Arrow alone, the floor any import must stand on.

    .venv/bin/python bench/payouts_bench.py --cards 40000 --db sqlite
    .venv/bin/python bench/payouts_bench.py --cards 40000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import create_engine, text

from prakerja.ingest.pipeline import import_files
from prakerja.kit.progress import SilentReporter
from prakerja.operations.timeline import advance_to
from prakerja.payouts import service as payouts
from prakerja.payouts.loaders import PartnerResultsLoader
from prakerja.payouts.models import PayoutAccount
from prakerja.registry.models import Card, Registration
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows
from prakerja.storage.db import make_engine, unit_of_work
from prakerja.storage.migrate import upgrade
from prakerja.transactions.models import PlatformEvent, Voucher

WORK = Path(__file__).parent / "work"
DAY = dt.date(2020, 5, 4)
PARTNERS = ("BNI", "OVO", "GOPAY", "LINKAJA", "DANA")


def _engine(target: str) -> tuple[object, str, Callable[[], None]]:
    """Return an empty database (a SQLite file, or a fresh PostgreSQL schema) and its clean-up."""
    if target == "sqlite":
        path = WORK / "payouts-bench.db"
        for stale in WORK.glob("payouts-bench.db*"):
            stale.unlink()

        def remove() -> None:
            for used in WORK.glob("payouts-bench.db*"):
                used.unlink()

        return make_engine(f"sqlite:///{path}"), "SQLite", remove
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(target).url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in target else "?"

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    engine = make_engine(f"{target}{separator}options=-csearch_path%3D{schema}")
    return engine, "PostgreSQL", drop


def _column(value: object, count: int, kind: pa.DataType) -> pa.Array:
    return pa.array([value] * count, kind)


def _populate(engine: object, count: int) -> None:
    """Insert N registrations, cards, purchases, vouchers and accounts (set-based)."""
    serial = pa.array(range(1, count + 1), pa.int64())
    digits = pc.utf8_lpad(pc.cast(serial, pa.string()), 12, "0")
    nik = pc.binary_join_element_wise("3171", digits, "")
    cards = pc.binary_join_element_wise("5200", digits, "")
    vouchers = pc.binary_join_element_wise("VCR", digits, "")
    stamp = pa.timestamp("us", tz="UTC")
    issued = dt.date(2020, 4, 17)
    at = dt.datetime(2020, 4, 20, 3, 0, tzinfo=dt.UTC)
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        insert_new_rows(
            session,
            table_of(Registration),
            pa.table(
                {
                    "id": serial,
                    "wave": _column(1, count, pa.int64()),
                    "nik": nik,
                    "kk_number": nik,
                    "full_name": _column("PESERTA", count, pa.string()),
                }
            ),
        )
        insert_new_rows(
            session,
            table_of(Card),
            pa.table(
                {
                    "card_number": cards,
                    "nik": nik,
                    "registration_id": serial,
                    "kk_number": nik,
                    "wave": _column(1, count, pa.int64()),
                    "scheme": _column("PANDEMIC_2020", count, pa.string()),
                    "issued_on": _column(issued, count, pa.date32()),
                    "purchase_deadline": _column(dt.date(2020, 5, 17), count, pa.date32()),
                    "balance_expires_on": _column(dt.date(2020, 12, 15), count, pa.date32()),
                    "initial_balance_idr": _column(1_000_000, count, pa.int64()),
                    "balance_idr": _column(250_000, count, pa.int64()),
                    "first_purchase_on": _column(issued, count, pa.date32()),
                    "status": _column("ACTIVE", count, pa.string()),
                }
            ),
        )
        insert_new_rows(
            session,
            table_of(PlatformEvent),
            pa.table(
                {
                    "id": serial,
                    "platform_code": _column("TOKOPEDIA", count, pa.string()),
                    "event_id": vouchers,
                    "event_type": _column("PURCHASE", count, pa.string()),
                    "occurred_at": _column(at, count, stamp),
                    "occurred_on": _column(dt.date(2020, 4, 20), count, pa.date32()),
                    "card_number": cards,
                    "voucher_code": vouchers,
                    "amount_idr": _column(750_000, count, pa.int64()),
                    "state": _column("APPLIED", count, pa.string()),
                }
            ),
        )
        insert_new_rows(
            session,
            table_of(Voucher),
            pa.table(
                {
                    "voucher_code": vouchers,
                    "card_number": cards,
                    "course_code": _column("C-0001", count, pa.string()),
                    "platform_code": _column("TOKOPEDIA", count, pa.string()),
                    "purchase_event_id": serial,
                    "purchased_at": _column(at, count, stamp),
                    "purchased_on": _column(dt.date(2020, 4, 20), count, pa.date32()),
                    "amount_idr": _column(750_000, count, pa.int64()),
                    "completed_at": _column(at, count, stamp),
                    "completed_on": _column(dt.date(2020, 5, 1), count, pa.date32()),
                    "reviewed_at": _column(at, count, stamp),
                    "reviewed_on": _column(dt.date(2020, 5, 2), count, pa.date32()),
                }
            ),
        )
        fifth = pc.multiply(pc.divide(serial, 5), 5)
        partners = pa.array(PARTNERS).take(pc.subtract(serial, fifth))
        insert_new_rows(
            session,
            table_of(PayoutAccount),
            pa.table(
                {
                    "card_number": cards,
                    "partner_code": partners,
                    "account_id": pc.binary_join_element_wise("08", digits, ""),
                    "account_name": _column("PESERTA", count, pa.string()),
                    "linked_at": _column(dt.datetime(2020, 5, 3, 1, tzinfo=dt.UTC), count, stamp),
                    "linked_on": _column(dt.date(2020, 5, 3), count, pa.date32()),
                }
            ),
        )


def _results_file(out: Path, target: Path) -> int:
    tables = [pacsv.read_csv(path) for path in sorted(out.glob("instructions-*.csv"))]
    rows = pa.concat_tables(tables)
    count = rows.num_rows
    failed = pc.equal(pc.bit_wise_and(pa.array(range(count), pa.int64()), 15), 0)
    results = pa.table(
        {
            "partner_code": rows["partner_code"],
            "instruction_id": rows["instruction_id"],
            "partner_txn_id": pc.binary_join_element_wise("TX", rows["instruction_id"], "-"),
            "account_id": rows["account_id"],
            "amount_idr": rows["amount_idr"],
            "status": pc.if_else(failed, "FAILED", "SUCCESS"),
            "failure_code": pc.if_else(failed, "ACCOUNT_NOT_VERIFIED", ""),
            "processed_at": _column("2020-05-05T11:00:00+07:00", count, pa.string()),
        }
    )
    pacsv.write_csv(results, target)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=40_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    engine, name, clean_up = _engine(args.db)
    upgrade(engine)  # type: ignore[arg-type]
    started = time.perf_counter()
    _populate(engine, args.cards)
    print(f"{name}: {args.cards:,} cards set up in {time.perf_counter() - started:.1f} s")

    out = WORK / "instructions"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        effects = advance_to(session, day=DAY)
        batches = payouts.run_payouts(session, day=DAY)
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        payouts.instruction_files(session, day=DAY, out=out)
    run_seconds = time.perf_counter() - started
    instructed = sum(batch.instructions for batch in batches)
    print(
        f"{name}: payouts run: {effects.entitlements_due:,} entitlements fallen due, "
        f"{instructed:,} instructed in {len(batches)} batches: {run_seconds:.2f} s"
    )

    results = WORK / "partner-results.csv"
    count = _results_file(out, results)
    started = time.perf_counter()
    pacsv.read_csv(results)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    summary = import_files(engine, PartnerResultsLoader(), [results], SilentReporter())  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    print(
        f"{name}: import partner-results: {summary.loaded:,} rows in {seconds:.2f} s = "
        f"{count / seconds:,.0f} rows/s (Arrow parse alone: {baseline:.2f} s, "
        f"ratio {seconds / baseline:.0f}x)"
    )
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        proof = payouts.prove_books(session)
    print(f"{name}: books balanced: {proof.balanced} (paid {proof.ledger.paid:,} IDR)")
    engine.dispose()  # type: ignore[attr-defined]
    clean_up()


if __name__ == "__main__":
    main()
