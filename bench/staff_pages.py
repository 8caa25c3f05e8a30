"""How fast the staff pages answer on a large program: overview, a filtered breaks list, a story.

Builds (once per schema) N participants with one registration and one card each,
an exclusion-free wave over 34 provinces, N/20 breaks spread over every type,
five partners and 200 days, and one daily reconciliation run; then signs in as
an OPERATOR and times, in-process through the real application (routing,
permission check from the database, queries, rendering): the overview of the
run's day, the breaks list filtered by type, partner and age (first page and
page 20), and a participant's story opened by NIK (a POST, audited). The first
overview after a change counts the whole program (timed once, apart); later
views read the kept figures until the records change.

    .venv/bin/python bench/staff_pages.py --participants 1000000 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/prakerja_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import create_engine, text

from prakerja.accounts.rules import csrf_token
from prakerja.accounts.service import add_account
from prakerja.kit.clock import utc_now
from prakerja.reconciliation.models import Break, ReconciliationRun
from prakerja.reconciliation.taxonomy import BreakType
from prakerja.registry.models import Card, Registration, SelectionResult, Wave, WaveQuota
from prakerja.storage.base import table_of
from prakerja.storage.bulk import append_rows
from prakerja.storage.db import make_engine, unit_of_work
from prakerja.storage.migrate import upgrade

DAY = dt.date(2020, 11, 30)
EPOCH = dt.date(1970, 1, 1)
PARTNERS = np.array(["BNI", "OVO", "GOPAY", "LINKAJA", "DANA"])
PROVINCES = [f"{code:02d}" for code in range(11, 45)]


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")


def _days(offsets: np.ndarray) -> pa.Array:
    return pa.array(((DAY - EPOCH).days - offsets).astype(np.int32), pa.date32())


def _nik(index: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise("3171", _digits(index, 12), "")


def build(engine, participants: int) -> str:  # type: ignore[no-untyped-def]
    """Load the synthetic program; return one participant's NIK to open."""
    rng = np.random.default_rng(2020)
    index = np.arange(participants)
    nik = _nik(index)
    province = pa.array(np.array(PROVINCES)[index % len(PROVINCES)])
    now = utc_now()
    with unit_of_work(engine) as session:
        session.add(
            Wave(
                wave=1,
                scheme="PANDEMIC_2020",
                opens_on=dt.date(2020, 4, 11),
                closes_on=dt.date(2020, 4, 16),
                selected_on=dt.date(2020, 4, 17),
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        for code in PROVINCES:
            session.add(WaveQuota(wave=1, province_code=code, quota=participants, added_places=0))
        session.flush()
        append_rows(
            session,
            table_of(Registration),
            pa.table(
                {
                    "wave": pa.array(np.ones(participants, np.int64)),
                    "nik": nik,
                    "kk_number": pc.binary_join_element_wise("3171", _digits(index + 7, 12), ""),
                    "full_name": pa.array(np.full(participants, "Peserta Uji")),
                    "province_code": province,
                    "phone": pc.binary_join_element_wise("0812", _digits(index, 8), ""),
                }
            ),
        )
        ids = pa.array(index + 1)
        card = pc.binary_join_element_wise("5264", _digits(index, 12), "")
        append_rows(
            session,
            table_of(SelectionResult),
            pa.table(
                {
                    "registration_id": ids,
                    "wave": pa.array(np.ones(participants, np.int64)),
                    "outcome": pa.array(np.full(participants, "SELECTED")),
                    "card_number": card,
                    "decided_on": pa.array(
                        np.full(participants, (dt.date(2020, 4, 17) - EPOCH).days, np.int32),
                        pa.date32(),
                    ),
                }
            ),
        )
        issued = pa.array(
            np.full(participants, (dt.date(2020, 4, 17) - EPOCH).days, np.int32), pa.date32()
        )
        append_rows(
            session,
            table_of(Card),
            pa.table(
                {
                    "card_number": card,
                    "nik": nik,
                    "registration_id": ids,
                    "kk_number": pc.binary_join_element_wise("3171", _digits(index + 7, 12), ""),
                    "wave": pa.array(np.ones(participants, np.int64)),
                    "scheme": pa.array(np.full(participants, "PANDEMIC_2020")),
                    "province_code": province,
                    "issued_on": issued,
                    "purchase_deadline": issued,
                    "balance_expires_on": issued,
                    "initial_balance_idr": pa.array(np.full(participants, 1_000_000)),
                    "balance_idr": pa.array(np.zeros(participants, np.int64)),
                    "first_purchase_on": issued,
                    "status": pa.array(np.full(participants, "ACTIVE")),
                }
            ),
        )
        count = max(participants // 20, 100)
        types = np.array([kind.value for kind in BreakType])
        age = rng.integers(0, 200, count)
        opened = rng.random(count) < 0.7
        append_rows(
            session,
            table_of(Break),
            pa.table(
                {
                    "break_id": pc.binary_join_element_wise(
                        "BRK", _digits(np.arange(count), 10), ""
                    ),
                    "break_type": pa.array(types[np.arange(count) % len(types)]),
                    "break_key": pc.cast(pa.array(np.arange(count)), pa.string()),
                    "occurrence": pa.array(np.ones(count, np.int64)),
                    "partner_code": pa.array(PARTNERS[rng.integers(0, 5, count)]),
                    "card_number": pc.take(card, pa.array(rng.integers(0, participants, count))),
                    "expected_amount_idr": pa.array(np.full(count, 600_000)),
                    "wave": pa.array(np.ones(count, np.int64)),
                    "fact_on": _days(age),
                    "reason": pa.array(np.full(count, "synthetic")),
                    "detected_on": _days(np.maximum(age - 1, 0)),
                    "resolved_on": pa.array([None if o else DAY for o in opened], pa.date32()),
                    "status": pa.array(np.where(opened, "OPEN", "RESOLVED")),
                    "resolution": pa.array([None if o else "AUTO" for o in opened], pa.string()),
                    "still_holds": pa.array(opened),
                }
            ),
        )
        session.add(
            ReconciliationRun(
                business_date=DAY,
                mode="DAILY",
                actor="bench",
                started_at=now,
                finished_at=now,
                opened=count,
                resolved=0,
                open_after=int(opened.sum()),
                details={
                    "open_by_type": {
                        t: int(((np.arange(count) % len(types)) == i)[opened].sum())
                        for i, t in enumerate(types)
                    },
                    "gap": [
                        {
                            "stage": "PAID",
                            "participants": participants * 9 // 10,
                            "amount_idr": participants * 9 // 10 * 600_000,
                        },
                        {
                            "stage": "IN_FLIGHT",
                            "participants": participants // 10,
                            "amount_idr": participants // 10 * 600_000,
                        },
                    ],
                    "escrow": {
                        "closing_idr": 1,
                        "funded_idr": 1,
                        "paid_idr": 0,
                        "in_flight_idr": 0,
                        "ledger_idr": 1,
                        "difference_idr": 0,
                    },
                },
            )
        )
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    return str(nik[participants // 2])


def timed(call, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median and worst wall time in ms of `repeats` calls (after one warm-up)."""
    call()
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), max(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL (a schema of its own is made); else SQLite"
    )
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    from fastapi.testclient import TestClient

    from prakerja.server import create_service

    if arguments.postgres:
        schema = f"staff_bench_{arguments.participants}"
        admin = create_engine(make_engine(arguments.postgres).url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in arguments.postgres else "?"
        url = f"{arguments.postgres}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///bench/work/staff-{arguments.participants}.db"
        import pathlib

        pathlib.Path(f"bench/work/staff-{arguments.participants}.db").unlink(missing_ok=True)
        pathlib.Path("bench/work").mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    nik = build(engine, arguments.participants)
    spent = time.perf_counter() - started
    print(f"built {arguments.participants:,} participants in {spent:.1f} s ({engine.dialect.name})")
    with unit_of_work(engine) as session:
        password = add_account(session, username="bench", role="OPERATOR", actor="bench").password
    client = TestClient(create_service(engine), follow_redirects=False)
    assert (
        client.post("/login", data={"username": "bench", "password": password}).status_code == 303
    )
    token = csrf_token(client.cookies.get("prakerja_staff"))

    def check(response) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code == 200, response.status_code

    pages = {
        "overview": lambda: check(client.get(f"/?date={DAY}")),
        "breaks: type+partner+age, page 1": lambda: check(
            client.get("/breaks?type=FAILED_PAYMENT&partner=OVO&age=older")
        ),
        "breaks: type+partner+age, page 20": lambda: check(
            client.get("/breaks?type=FAILED_PAYMENT&partner=OVO&age=older&page=20")
        ),
        "breaks: all open, page 1": lambda: check(client.get("/breaks")),
        "participant story by NIK": lambda: check(
            client.post("/participants", data={"query": nik, "csrf_token": token})
        ),
    }
    started = time.perf_counter()
    pages_cold = client.get(f"/?date={DAY}")
    assert pages_cold.status_code == 200
    cold = (time.perf_counter() - started) * 1000
    print(f"overview, first view after a change (figures counted): {cold:.0f} ms")
    print(f"| page | median ms | worst ms (of {arguments.repeats}) |")
    print("|---|---|---|")
    for name, call in pages.items():
        median, worst = timed(call, arguments.repeats)
        print(f"| {name} | {median:.0f} | {worst:.0f} |")
    if arguments.postgres:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
