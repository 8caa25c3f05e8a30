"""Import 1,000,000 platform events and print rows/s, on SQLite and (with --pg URL) PostgreSQL.

Cards and registrations are loaded straight into their tables (the bench
measures the events import, not selection); the events file holds, per
voucher, a purchase, attendance of each session, a completion and a review,
with a few refusals and out-of-order rows, as a day of platform traffic does.

    .venv/bin/python bench/marketplace_events.py [--events N] [--pg URL]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import time
from pathlib import Path

import pyarrow as pa

from prakerja.catalog.loaders import CoursesLoader
from prakerja.ingest.pipeline import import_files
from prakerja.registry.models import Card, Registration
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows
from prakerja.storage.db import make_engine, unit_of_work
from prakerja.storage.migrate import upgrade
from prakerja.transactions.loaders import PlatformEventsLoader

WORK = Path(__file__).parent / "work"
COURSES = [
    ("C-W", "WEBINAR", 3, 600_000),
    ("C-S", "SELF_PACED", 1, 400_000),
    ("C-O", "OFFLINE", 2, 300_000),
]


def write_inputs(events: int) -> tuple[Path, Path, int]:
    WORK.mkdir(exist_ok=True)
    courses = WORK / "courses.csv"
    with courses.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "course_code",
                "title",
                "provider_code",
                "provider_name",
                "categories",
                "price_idr",
                "hours",
                "course_type",
                "sessions",
                "platforms",
            ]
        )
        for code, kind, sessions, price in COURSES:
            out.writerow([code, code, "LP-1", "LP", "IT", price, 10, kind, sessions, "TOKOPEDIA"])
    rng = random.Random(7)
    path = WORK / "events.csv"
    written, voucher = 0, 0
    base = dt.datetime(2020, 4, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "platform_code",
                "event_id",
                "event_type",
                "occurred_at",
                "card_number",
                "course_code",
                "voucher_code",
                "amount_idr",
                "sequence",
                "certificate_no",
                "rating",
                "review_text",
            ]
        )
        while written < events:
            code, _kind, sessions, price = COURSES[voucher % 3]
            card = f"{5200000000000000 + voucher:016d}"
            v = f"V{voucher:09d}"
            at = base + dt.timedelta(minutes=rng.randrange(0, 20_000))
            rows = [["PURCHASE", at, price, "", "", ""]]
            rows += [
                ["ATTENDANCE", at + dt.timedelta(days=n), "", n, "", ""]
                for n in range(1, sessions + 1)
            ]
            rows += [["COMPLETION", at + dt.timedelta(days=5), "", "", f"CERT-{voucher}", ""]]
            rows += [["REVIEW", at + dt.timedelta(days=6), "", "", "", rng.randint(1, 5)]]
            if rng.random() < 0.02:
                rows.reverse()
            for kind, when, amount, seq, cert, rating in rows:
                out.writerow(
                    [
                        "TOKOPEDIA",
                        f"E{written}",
                        kind,
                        when.isoformat(),
                        card,
                        code,
                        v,
                        amount,
                        seq,
                        cert,
                        rating,
                        "",
                    ]
                )
                written += 1
            voucher += 1
    return courses, path, voucher


def load_cards(engine, count: int) -> None:
    ids = pa.array(range(1, count + 1), pa.int64())
    numbers = pa.array([f"{5200000000000000 + i:016d}" for i in range(count)])
    niks = pa.array([f"{3171000000000000 + i:016d}" for i in range(count)])
    with unit_of_work(engine) as session:
        insert_new_rows(
            session,
            table_of(Registration),
            pa.table(
                {
                    "id": ids,
                    "wave": pa.array([1] * count, pa.int64()),
                    "nik": niks,
                    "kk_number": niks,
                    "full_name": pa.array(["X"] * count),
                }
            ),
        )
        insert_new_rows(
            session,
            table_of(Card),
            pa.table(
                {
                    "card_number": numbers,
                    "nik": niks,
                    "registration_id": ids,
                    "kk_number": niks,
                    "wave": pa.array([1] * count, pa.int64()),
                    "scheme": pa.array(["PANDEMIC_2020"] * count),
                    "issued_on": pa.array([dt.date(2020, 4, 17)] * count, pa.date32()),
                    "purchase_deadline": pa.array([dt.date(2020, 5, 17)] * count, pa.date32()),
                    "balance_expires_on": pa.array([dt.date(2020, 12, 15)] * count, pa.date32()),
                    "initial_balance_idr": pa.array([1_000_000] * count, pa.int64()),
                    "balance_idr": pa.array([1_000_000] * count, pa.int64()),
                    "status": pa.array(["ACTIVE"] * count),
                }
            ),
        )


def run(url: str, label: str, courses: Path, events: Path, cards: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    load_cards(engine, cards)
    import_files(engine, CoursesLoader(), [courses])
    rows = sum(1 for _ in events.open()) - 1
    started = time.perf_counter()
    summary = import_files(engine, PlatformEventsLoader(), [events])
    seconds = time.perf_counter() - started
    rate = rows / seconds
    print(f"{label}: {rows} events in {seconds:.1f} s = {rate:,.0f} rows/s ({summary.line()})")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database (its schema is dropped)")
    args = parser.parse_args()
    courses, events, cards = write_inputs(args.events)
    db = WORK / "bench.db"
    for stale in (db, db.with_name("bench.db-wal"), db.with_name("bench.db-shm")):
        stale.unlink(missing_ok=True)
    run(f"sqlite:///{db}", "SQLite", courses, events, cards)
    if args.pg:
        from sqlalchemy import text

        engine = make_engine(args.pg)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        run(args.pg, "PostgreSQL", courses, events, cards)


if __name__ == "__main__":
    main()
