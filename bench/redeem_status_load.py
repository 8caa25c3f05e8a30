"""Load the redeem-code status endpoint from a second process over loopback; print rps, p50, p99.

Sets up a PostgreSQL database with cards, a catalog, purchases and a provider
key, then starts `prakerja serve` exactly as an operator would (its default
worker count). A separate load process keeps a fixed number of keep-alive
connections busy, one request in flight on each (a closed loop, so the load is
bounded), for a bounded time and request count, after an uncounted warm-up.
Every answer is checked: status 200, `success` true and the code asked about;
anything else counts as an error.

Baseline in the same run: the same load process, the same signed requests and
the same number of uvicorn workers against a bare ASGI app (`hello_asgi.py`)
that answers without routing, checks or database work - what the machine, the
HTTP stack and the load process allow. The ratios of the two are printed.

    .venv/bin/python bench/redeem_status_load.py --pg URL [--seconds 15] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import http.client
import json
import multiprocessing
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import marketplace_events as setup

PATH = "/api/v1/integration/payment/redeem-code/status"
PORT = 8765
BASELINE_PORT = 8766
CLIENT = "LP-1"


@dataclass
class Tally:
    """What one load run saw: latencies of correct answers, errors, elapsed seconds."""

    latencies: list[float]
    errors: int
    elapsed: float
    first_error: str = ""


def _request(secret: str, code: str) -> bytes:
    body = json.dumps({"redeem_code": code, "sequence": 1}, separators=(",", ":"))
    stamp = str(int(time.time()))
    signature = hmac.new(
        secret.encode(), f"{CLIENT}{stamp}POST{PATH}{body}".encode(), hashlib.sha1
    ).hexdigest()
    head = (
        f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        f"client_code: {CLIENT}\r\ntimestamp: {stamp}\r\nsignature: {signature}\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return (head + body).encode()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


def _problem(status: int, body: bytes, code: str, *, baseline: bool) -> str:
    """Return why an answer is wrong, or "" when it is the correct one."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    try:
        answer: Any = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    if answer.get("success") is not True:
        return f"not a success: {body[:200]!r}"
    if not baseline and (answer.get("data") or {}).get("redeem_code") != code:
        return f"another code answered: {body[:200]!r}"
    return ""


async def _connection(
    port: int, secret: str, codes: list[str], plan: dict[str, Any], tally: Tally, start: int
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = start
    try:
        while time.monotonic() < plan["deadline"] and plan["budget"] > 0:
            code = codes[sent % len(codes)]
            sent += 1
            request = _request(secret, code)
            started = time.perf_counter()
            writer.write(request)
            status, body = await _read_answer(reader)
            took = time.perf_counter() - started
            if time.monotonic() < plan["counting_from"]:
                continue
            plan["budget"] -= 1
            problem = _problem(status, body, code, baseline=plan["baseline"])
            if problem:
                tally.errors += 1
                tally.first_error = tally.first_error or problem
            else:
                tally.latencies.append(took)
    finally:
        writer.close()


async def _drive(
    port: int, secret: str, codes: list[str], options: dict[str, Any], baseline: bool
) -> Tally:
    now = time.monotonic()
    plan = {
        "counting_from": now + options["warmup"],
        "deadline": now + options["warmup"] + options["seconds"],
        "budget": options["max_requests"],
        "baseline": baseline,
    }
    tally = Tally([], 0, 0.0)
    step = len(codes) // options["connections"]
    runs = [
        _connection(port, secret, codes, plan, tally, n * step)
        for n in range(options["connections"])
    ]
    await asyncio.sleep(0)
    results = await asyncio.gather(*runs, return_exceptions=True)
    tally.elapsed = time.monotonic() - plan["counting_from"]
    for result in results:
        if isinstance(result, BaseException):
            tally.errors += 1
            tally.first_error = tally.first_error or repr(result)
    return tally


def load(
    port: int,
    secret: str,
    codes: list[str],
    options: dict[str, Any],
    baseline: bool,
    queue: Any,
) -> None:
    """Run in the second process: drive one server, put the tally on the queue."""
    queue.put(asyncio.run(_drive(port, secret, codes, options, baseline)))


def _wait_until_up(port: int, probe: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", probe)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


def _measure(command: list[str], port: int, probe: str, run: tuple[Any, ...]) -> Tally:
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(port, probe, server)
        queue: multiprocessing.Queue[Tally] = multiprocessing.Queue()
        loader = multiprocessing.Process(target=load, args=(port, *run, queue))
        loader.start()
        tally = queue.get()
        loader.join()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return tally


def _figures(tally: Tally) -> tuple[float, float, float]:
    latencies = sorted(tally.latencies)
    count = len(latencies)
    if not count:
        return 0.0, 0.0, 0.0
    rps = count / tally.elapsed
    return rps, latencies[count // 2] * 1000, latencies[min(count - 1, int(count * 0.99))] * 1000


def _report(what: str, tally: Tally) -> tuple[float, float, float]:
    rps, p50, p99 = _figures(tally)
    print(
        f"{what}: {len(tally.latencies)} correct answers in {tally.elapsed:.1f} s = "
        f"{rps:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {tally.errors}"
    )
    if tally.first_error:
        print(f"  first error: {tally.first_error}")
    return rps, p50, p99


def _server_workers() -> int:
    """The worker count `prakerja serve` uses when not told otherwise."""
    from prakerja.cli.serve import default_workers

    return default_workers()


def main() -> None:
    """Set up the data, measure the baseline and the status endpoint, print both and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True, help="PostgreSQL URL of a scratch database")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=20_000, help="vouchers purchased")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    from sqlalchemy import text

    from prakerja.catalog.loaders import CoursesLoader
    from prakerja.catalog.service import issue_key
    from prakerja.ingest.pipeline import import_files
    from prakerja.storage.db import make_engine, unit_of_work
    from prakerja.storage.migrate import upgrade
    from prakerja.transactions.loaders import PlatformEventsLoader

    engine = make_engine(args.pg)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    courses, events, cards = setup.write_inputs(args.cards)
    setup.load_cards(engine, cards)
    import_files(engine, CoursesLoader(), [courses])
    import_files(engine, PlatformEventsLoader(), [events])
    with unit_of_work(engine) as session:
        secret = issue_key(session, provider_code=CLIENT).secret
    engine.dispose()
    codes = [f"V{n:09d}" for n in range(cards)]
    options = {
        "seconds": args.seconds,
        "warmup": args.warmup,
        "connections": args.connections,
        "max_requests": args.max_requests,
    }
    workers = _server_workers()
    bin_dir = Path(sys.executable).parent
    print(
        f"{workers} uvicorn worker(s) (the `prakerja serve` default), {args.connections} "
        f"keep-alive connections from a second process, {args.warmup:g} s warm-up, "
        f"{args.seconds:g} s counted"
    )
    base = (0.0, 0.0, 0.0)
    if not args.skip_baseline:
        here = str(Path(__file__).parent)
        hello = [str(bin_dir / "uvicorn"), "hello_asgi:app", "--app-dir", here,
                 "--port", str(BASELINE_PORT), "--workers", str(workers), "--log-level", "warning",
                 "--no-access-log"]  # fmt: skip
        tally = _measure(hello, BASELINE_PORT, "/", (secret, codes, options, True))
        base = _report("baseline, bare ASGI hello app", tally)
    serve = [str(bin_dir / "prakerja"), "serve", "--port", str(PORT), "--db", args.pg]
    tally = _measure(serve, PORT, "/openapi.json", (secret, codes, options, False))
    rps, p50, p99 = _report("redeem-code status, PostgreSQL", tally)
    if base[0]:
        print(
            f"status / baseline: throughput {rps / base[0]:.2f}x, "
            f"p50 {p50 / base[1]:.1f}x, p99 {p99 / base[2]:.1f}x"
        )


if __name__ == "__main__":
    main()
