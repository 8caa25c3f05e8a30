"""Benchmark: a payment partner's results uploaded over HTTP, beside `prakerja import` of the file.

Two identical databases get N cards due on one day, all paid through OVO,
and the day's `payouts run`; one result per instruction (one in sixteen
FAILED) is written once as a CSV file. Then, in the same run:

- over HTTP: `prakerja serve`'s application (one uvicorn worker in a process
  of its own) on database A, the file POSTed as multipart to
  `/api/v1/partner/files/partner-results` with OVO's token, streamed from disk;
  timed from the first byte sent to the answer; the server's peak memory is
  read from /proc;
- by hand: `prakerja import partner-results FILE` (a process of its own) on
  database B, timed end to end, start-up included.

Both must give the same counts. Partner transaction ids are kept short
(`T` + 7 digits) so that 1,000,000 rows stay under the 100 MB upload limit.

    .venv/bin/python bench/partner_upload.py --cards 100000
    .venv/bin/python bench/partner_upload.py --cards 100000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parent))
import payouts_bench as base
from prakerja.operations.timeline import advance_to
from prakerja.partners.service import issue_token
from prakerja.payouts import service as payouts
from prakerja.storage.db import unit_of_work
from prakerja.storage.migrate import upgrade

WORK = base.WORK / "partner-upload"
SRC = Path(__file__).resolve().parent.parent / "src"


def _database(target: str, name: str, cards: int) -> tuple[object, str, object]:
    """An empty database with N due cards, all with OVO accounts, and the day's payouts run."""
    base.PARTNERS = ("OVO",) * 5
    if target == "sqlite":
        path = WORK / f"{name}.db"
        for stale in WORK.glob(f"{name}.db*"):
            stale.unlink()
        from prakerja.storage.db import make_engine

        def clean_up() -> None:
            for used in WORK.glob(f"{name}.db*"):
                used.unlink()

        engine, url = make_engine(f"sqlite:///{path}"), f"sqlite:///{path}"
    else:
        engine, _label, clean_up = base._engine(target)
        url = engine.url.render_as_string(hide_password=False)  # type: ignore[attr-defined]
    upgrade(engine)  # type: ignore[arg-type]
    base._populate(engine, cards)
    out = WORK / f"instructions-{name}"
    shutil.rmtree(out, ignore_errors=True)
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        advance_to(session, base.DAY)
        payouts.run_payouts(session, day=base.DAY)
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        payouts.instruction_files(session, day=base.DAY, out=out)
    return engine, url, clean_up


def _results_file(instructions: Path, target: Path) -> int:
    rows = pa.concat_tables(
        [pacsv.read_csv(path) for path in sorted(instructions.glob("instructions-*.csv"))]
    )
    count = rows.num_rows
    serial = pa.array(range(count), pa.int64())
    failed = pc.equal(pc.bit_wise_and(serial, 15), 0)
    txn = pc.binary_join_element_wise("T", pc.utf8_lpad(pc.cast(serial, pa.string()), 7, "0"), "")
    results = pa.table(
        {
            "partner_code": rows["partner_code"],
            "instruction_id": rows["instruction_id"],
            "partner_txn_id": txn,
            "account_id": rows["account_id"],
            "amount_idr": rows["amount_idr"],
            "status": pc.if_else(failed, "FAILED", "SUCCESS"),
            "failure_code": pc.if_else(failed, "OTHER", ""),
            "processed_at": pa.array(["2020-05-05T11:00:00+07:00"] * count, pa.string()),
        }
    )
    pacsv.write_csv(results, target, pacsv.WriteOptions(quoting_style="none"))
    return count


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "PRAKERJA_DATABASE_URL": url,
        "PRAKERJA_DATA_DIR": str(WORK / "data"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "prakerja.server:service_from_settings",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{address}/openapi.json", timeout=1)
            return server, address
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _over_http(engine: object, url: str, results: Path) -> tuple[dict[str, int], float, float]:
    with unit_of_work(engine) as session:  # type: ignore[arg-type]
        bearer = issue_token(session, partner_code="OVO", kinds=["partner-results"], actor="bench")
    server, address = _serve(url)
    try:
        idle = _peak_rss_mb(server.pid)
        started = time.perf_counter()
        with results.open("rb") as handle:
            answer = httpx.post(
                f"{address}/api/v1/partner/files/partner-results",
                headers={"Authorization": f"Bearer {bearer}"},
                files={"file": (results.name, handle, "text/csv")},
                timeout=3600,
            )
        seconds = time.perf_counter() - started
        peak = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    if answer.status_code != 200:
        raise SystemExit(f"upload refused: {answer.status_code} {answer.text[:300]}")
    body = answer.json()
    counts = {key: body[key] for key in ("loaded", "duplicates", "rejected", "pending")}
    print(f"  server memory: {idle:.0f} MB idle, peak {peak:.0f} MB")
    return counts, seconds, peak


def _by_hand(url: str, results: Path, *, quiet: bool = False) -> tuple[dict[str, int], float]:
    copy = WORK / "by-hand" / results.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(results, copy)
    started = time.perf_counter()
    command = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv[0] = 'prakerja'; from prakerja.cli.main import run; run()",
            "import",
            "partner-results",
            str(copy),
            "--db",
            url,
        ],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0.0
    while command.poll() is None:
        with contextlib.suppress(OSError, ValueError):  # it may end between poll and read
            peak = max(peak, _peak_rss_mb(command.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    assert command.stdout is not None
    line = command.stdout.read().strip().splitlines()[-1]
    if not quiet:
        print(f"  command line memory: peak {peak:.0f} MB")
    return {k: int(v) for k, v in (part.split("=") for part in line.split())}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument(
        "--hand-first",
        action="store_true",
        help="build the command line's database and run its import first (order effects)",
    )
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    label = "SQLite" if args.db == "sqlite" else "PostgreSQL"
    started = time.perf_counter()
    names = ["over-http", "by-hand"][:: -1 if args.hand_first else 1]
    built = {name: _database(args.db, name, args.cards) for name in names}
    http_db, hand_db = built["over-http"], built["by-hand"]
    setup = time.perf_counter() - started
    print(f"{label}: two databases of {args.cards:,} due cards in {setup:.0f} s")
    results = WORK / "partner-results.csv"
    count = _results_file(WORK / "instructions-over-http", results)
    size = results.stat().st_size
    print(f"{label}: {count:,} results, {size / 1e6:.1f} MB ({size / count:.0f} bytes a row)")
    if args.hand_first:
        hand_counts, hand_seconds = _by_hand(hand_db[1], results)
    http_counts, http_seconds, _peak = _over_http(http_db[0], http_db[1], results)
    if not args.hand_first:
        hand_counts, hand_seconds = _by_hand(hand_db[1], results)
    for door, counts, seconds in (
        ("over HTTP", http_counts, http_seconds),
        ("by hand  ", hand_counts, hand_seconds),
    ):
        print(f"  {door}: {json.dumps(counts)} in {seconds:.2f} s = {count / seconds:,.0f} rows/s")
    empty = WORK / "header-only.csv"
    empty.write_text(results.open().readline())
    _nothing, start_up = _by_hand(hand_db[1], empty, quiet=True)
    print(f"  the command line's start-up (same import of a header-only file): {start_up:.2f} s")
    same = http_counts == hand_counts
    print(f"  HTTP / command line: {http_seconds / hand_seconds:.2f}x; same counts: {same}")
    for engine, _url, clean_up in (http_db, hand_db):
        engine.dispose()  # type: ignore[attr-defined]
        if callable(clean_up):
            clean_up()
    if http_counts != hand_counts:
        raise SystemExit("the upload and the command line disagree")


if __name__ == "__main__":
    main()
