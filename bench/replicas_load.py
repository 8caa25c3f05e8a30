"""Many API replicas (issue 15): `prakerja serve` with four workers beside one, on loopback.

Two bounded loads, each run against `prakerja serve --workers 1` and then
`--workers 4` (the baseline and the replicas, measured in the same run):

- the redeem-code status API: a second process keeps a fixed number of
  keep-alive connections busy, one signed request in flight on each, for a
  bounded time after an uncounted warm-up (the pieces of
  `redeem_status_load.py`); every answer is checked;
- the partner upload: one partner-results file of N rows cut into K parts,
  uploaded by K concurrent clients with OVO's token
  (`/api/v1/partner/files/partner-results`); each run on a fresh copy of the
  same database (the pieces of `partner_upload.py`); the counts must add up.

Every database is a scratch schema of the PostgreSQL database given, dropped
at the end. The workers share nothing but that database.

    .venv/bin/python bench/replicas_load.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).parent))
import marketplace_events as setup
import partner_upload as upload
import payouts_bench as base
import redeem_status_load as redeem

WORK = base.WORK / "replicas"
UPLOAD_PATH = "/api/v1/partner/files/partner-results"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_command(url: str, port: int, workers: int) -> list[str]:
    prakerja = Path(sys.executable).parent / "prakerja"
    return [str(prakerja), "serve", "--port", str(port), "--db", url, "--workers", str(workers)]


def _redeem_database(pg: str, cards: int) -> tuple[Any, str, Any, str, list[str]]:
    """A scratch schema with the catalog, N purchased vouchers and a provider key."""
    from prakerja.catalog.loaders import CoursesLoader
    from prakerja.catalog.service import issue_key
    from prakerja.ingest.pipeline import import_files
    from prakerja.storage.db import unit_of_work
    from prakerja.storage.migrate import upgrade
    from prakerja.transactions.loaders import PlatformEventsLoader

    engine, _label, drop = base._engine(pg)
    upgrade(engine)
    courses, events, count = setup.write_inputs(cards)
    setup.load_cards(engine, count)
    import_files(engine, CoursesLoader(), [courses])
    import_files(engine, PlatformEventsLoader(), [events])
    with unit_of_work(engine) as session:
        secret = issue_key(session, redeem.CLIENT).secret
    url = engine.url.render_as_string(hide_password=False)
    return engine, url, drop, secret, [f"V{n:09d}" for n in range(count)]


def redeem_load(pg: str, cards: int, options: dict[str, Any], workers: list[int]) -> None:
    """Measure the status endpoint with each worker count, print req/s and latencies."""
    engine, url, drop, secret, codes = _redeem_database(pg, cards)
    engine.dispose()
    try:
        figures = {}
        for count in workers:
            port = _free_port()
            tally = redeem._measure(
                _serve_command(url, port, count),
                port,
                "/openapi.json",
                (secret, codes, options, False),
            )
            figures[count] = redeem._report(f"redeem status, {count} worker(s)", tally)
        first, last = figures[workers[0]], figures[workers[-1]]
        if first[0]:
            print(f"  {workers[-1]} workers / {workers[0]}: throughput {last[0] / first[0]:.2f}x")
    finally:
        drop()


def _parts(results: Path, parts: int) -> list[Path]:
    """Cut a results file into `parts` files of consecutive rows (each with the header)."""
    table = pacsv.read_csv(results, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    size = -(-table.num_rows // parts)
    paths = []
    for n in range(parts):
        path = WORK / f"partner-results-{n + 1:02d}.csv"
        piece = table.slice(n * size, size)
        pacsv.write_csv(piece, path, pacsv.WriteOptions(quoting_style="none"))
        paths.append(path)
    return paths


def _post(address: str, bearer: str, path: Path) -> tuple[float, int, dict[str, int]]:
    started = time.perf_counter()
    with path.open("rb") as handle:
        answer = httpx.post(
            f"{address}{UPLOAD_PATH}",
            headers={"Authorization": f"Bearer {bearer}"},
            files={"file": (path.name, handle, "text/csv")},
            timeout=600,
        )
    took = time.perf_counter() - started
    counts = answer.json() if answer.status_code == 200 else {}
    return took, answer.status_code, {k: int(counts.get(k, 0)) for k in ("loaded", "rejected")}


def _upload_once(pg: str, cards: int, parts: int, workers: int) -> None:
    from prakerja.partners.service import issue_token
    from prakerja.storage.db import unit_of_work

    name = f"upload-{workers}w"
    engine, url, clean_up = upload._database(pg, name, cards)
    try:
        results = WORK / f"partner-results-{workers}w.csv"
        rows = upload._results_file(upload.WORK / f"instructions-{name}", results)
        files = _parts(results, parts)
        with unit_of_work(engine) as session:  # type: ignore[arg-type]
            bearer = issue_token(
                session, partner_code="OVO", kinds=["partner-results"], actor="bench"
            )
        port = _free_port()
        env = {**os.environ, "PRAKERJA_DATA_DIR": str(WORK / f"data-{workers}w")}
        server = subprocess.Popen(
            _serve_command(url, port, workers),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            redeem._wait_until_up(port, "/openapi.json", server)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=parts) as pool:
                answers = list(
                    pool.map(lambda p: _post(f"http://127.0.0.1:{port}", bearer, p), files)
                )
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        refused = [status for _took, status, _counts in answers if status != 200]
        loaded = sum(counts["loaded"] for _took, _status, counts in answers)
        latencies = sorted(took for took, _status, _counts in answers)
        print(
            f"partner upload, {workers} worker(s): {parts} files of ~{rows // parts:,} rows at "
            f"once, {loaded:,} of {rows:,} loaded in {wall:.2f} s = {loaded / wall:,.0f} rows/s; "
            f"per upload {latencies[0]:.2f}-{latencies[-1]:.2f} s; refused {len(refused)}"
        )
        if loaded != rows or refused:
            raise SystemExit(f"the uploads did not add up: {loaded} of {rows}, refused {refused}")
    finally:
        engine.dispose()  # type: ignore[attr-defined]
        clean_up()  # type: ignore[operator]


def main() -> None:
    """Run both loads with one worker and with four, print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="PostgreSQL URL (scratch schemas are made)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--vouchers", type=int, default=5_000)
    parser.add_argument("--results", type=int, default=20_000, help="partner results uploaded")
    parser.add_argument("--parts", type=int, default=8, help="concurrent uploads")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    upload.WORK.mkdir(parents=True, exist_ok=True)
    options = {
        "seconds": args.seconds,
        "warmup": args.warmup,
        "connections": args.connections,
        "max_requests": args.max_requests,
    }
    print(
        f"workers {args.workers}; redeem: {args.connections} keep-alive connections from a "
        f"second process, {args.warmup:g} s warm-up, {args.seconds:g} s counted; "
        f"upload: {args.results:,} results in {args.parts} concurrent files; {os.cpu_count()} CPUs"
    )
    redeem_load(args.pg, args.vouchers, options, args.workers)
    for count in args.workers:
        _upload_once(args.pg, args.results, args.parts, count)


if __name__ == "__main__":
    main()
