"""Load the redeem-code status endpoint from a second process over loopback; print rps, p50, p99.

Sets up a PostgreSQL database with cards, a catalog, purchases and a provider
key, starts `prakerja serve` (one uvicorn worker, its default), then a
separate load process sends signed status requests from several keep-alive
connections for a bounded time and count.

    .venv/bin/python bench/redeem_status_load.py --pg URL [--seconds 20] [--connections 8]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import marketplace_events as setup

PATH = "/api/v1/integration/payment/redeem-code/status"
PORT = 8765


def _worker(secret: str, codes: list[str], deadline: float, limit: int, out: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    sent = 0
    while time.time() < deadline and sent < limit:
        code = codes[sent % len(codes)]
        body = json.dumps({"redeem_code": code, "sequence": 1}, separators=(",", ":"))
        stamp = str(int(time.time()))
        signature = hmac.new(
            secret.encode(), f"LP-1{stamp}POST{PATH}{body}".encode(), hashlib.sha1
        ).hexdigest()
        headers = {"client_code": "LP-1", "timestamp": stamp, "signature": signature,
                   "content-type": "application/json"}  # fmt: skip
        started = time.perf_counter()
        connection.request("POST", PATH, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"unexpected status {response.status}")
        out.append(time.perf_counter() - started)
        sent += 1


def load(secret: str, codes: list[str], seconds: float, connections: int, queue) -> None:
    """Run in the second process: drive the server, report latencies."""
    latencies: list[float] = []
    deadline = time.time() + seconds
    threads = [
        threading.Thread(target=_worker, args=(secret, codes, deadline, 200_000, latencies))
        for _ in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True, help="PostgreSQL URL of a scratch database")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    from sqlalchemy import text

    from prakerja.catalog.service import issue_key
    from prakerja.ingest.pipeline import import_files
    from prakerja.storage.db import make_engine, unit_of_work
    from prakerja.storage.migrate import upgrade
    from prakerja.transactions.loaders import PlatformEventsLoader

    engine = make_engine(args.pg)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    courses, events, cards = setup.write_inputs(20_000)
    setup.load_cards(engine, cards)
    from prakerja.catalog.loaders import CoursesLoader

    import_files(engine, CoursesLoader(), [courses])
    import_files(engine, PlatformEventsLoader(), [events])
    with unit_of_work(engine) as session:
        secret = issue_key(session, "LP-1").secret
    codes = [f"V{n:09d}" for n in range(cards)]
    binary = Path(sys.executable).with_name("prakerja")
    server = subprocess.Popen(
        [str(binary), "serve", "--port", str(PORT), "--db", args.pg],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/docs")
                break
            except OSError:
                time.sleep(0.2)
        queue: multiprocessing.Queue = multiprocessing.Queue()
        loader = multiprocessing.Process(
            target=load, args=(secret, codes, args.seconds, args.connections, queue)
        )
        loader.start()
        latencies, elapsed = queue.get()
        loader.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    count = len(latencies)
    p50 = latencies[count // 2] * 1000
    p99 = latencies[int(count * 0.99)] * 1000
    print(
        f"status endpoint, PostgreSQL, 1 uvicorn worker, {args.connections} connections: "
        f"{count} requests in {elapsed:.1f} s = {count / elapsed:,.0f} req/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )


if __name__ == "__main__":
    main()
