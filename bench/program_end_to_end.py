"""The whole 2020 program, end to end, through the product's own commands, on PostgreSQL.

Opt-in (issue 15). Drops and recreates its own scratch database (default
`program_e2e`, kept with `--keep`), writes the partners' files with the demo's
own generators (timed apart: `gen` rows, not product figures), then runs the
operator's commands in order, each as a child process, and measures each:
wall time, the child's peak RSS (/usr/bin/time: a child forked from this process
would report at least this process's own RSS), the peak private memory (RssAnon)
of the database's PostgreSQL backends (sampled), the database size after it,
and rows/s for the imports. At the end it checks the outcome (counts, breaks
by type, the gap sentence, the escrow proof, the books) and prints a Markdown
table with a linear extrapolation to 5.6 M participants.

The program for N participants: one peak wave of 5.9/5.6 x N registrations
(the real wave 9) and a quota of N; about 3.6 platform events per card
(purchase, completion, review; a second training for some, refunds, late
purchases, bad rows) in daily files; an account linked by each participant the
day after their first training; four payouts runs 30 days apart (one per
tranche), each answered by the partners (failures, double credits, fees,
a misrouted payment, a file delivered twice) and by the escrow bank's
statement, and a daily reconcile; at the end a reconcile --rebuild.

    PYTHONPATH=$PWD/src .venv/bin/python bench/program_end_to_end.py --participants 20000
    flock /work/wt/heavy.lock env PYTHONPATH=$PWD/src .venv/bin/python \\
        bench/program_end_to_end.py --participants 280000
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psycopg

from prakerja.demo.marketplace import Marketplace, Purchase, write_catalog
from prakerja.demo.payouts import (
    ACCOUNT_COLUMNS,
    Holder,
    account_row,
    write_bank_statement,
    write_partner_results,
)
from prakerja.demo.synth import (
    PARTICIPANT_COLUMNS,
    ParticipantFactory,
    WavePlan,
    applicants,
    waves_rows,
    write_csv,
)
from prakerja.payouts import service as payouts
from prakerja.storage.db import make_engine, unit_of_work

FULL_SIZE = 5_600_000
PEAK_WAVE_SHARE = 5.9 / 5.6
SELECT_ON = dt.date(2020, 4, 16)
#: One payouts run per tranche, 30 days apart: every first tranche falls due by the first.
TRANCHE_DAYS = tuple(dt.date(2020, 5, 16) + dt.timedelta(days=30 * k) for k in range(4))
CHUNK = 100_000
MAX_SESSIONS = 3
TIME = "/usr/bin/time"  # its %M is the child's own peak RSS, in KB
PRAKERJA = str(Path(sys.executable).with_name("prakerja"))
T = TypeVar("T")
SRC = Path(__file__).resolve().parent.parent / "src"


@dataclass
class Step:
    """One measured step: a product command, or the generation of partner files."""

    name: str
    kind: str  # "product" or "gen"
    seconds: float
    rss_mb: float = 0.0
    pg_mb: float = 0.0
    db_mb: float = 0.0
    rows: int = 0
    scales: bool = True
    result: str = ""

    def rate(self) -> str:
        """Rows per second, when the step loads rows."""
        return f"{self.rows / self.seconds:,.0f}" if self.rows else ""


class Bench:
    """Runs the commands against the scratch database and keeps the measurements."""

    def __init__(self, server: str, database: str, work: Path) -> None:
        self.server, self.database, self.work = server, database, work
        self.url = f"postgresql+psycopg://{server}/{database}"
        self.admin = f"postgresql://{server}/postgres"
        self.steps: list[Step] = []
        self.generated: list[Step] = []
        (work / "logs").mkdir(parents=True, exist_ok=True)

    def recreate(self, *, keep: bool) -> None:
        """Drop and create the scratch database (unless kept)."""
        if keep:
            return
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def db_mb(self) -> float:
        """The scratch database's size, in MB."""
        with psycopg.connect(self.admin, autocommit=True) as connection:
            row = connection.execute("SELECT pg_database_size(%s)", (self.database,)).fetchone()
        return (row[0] if row else 0) / 2**20

    def gen(self, name: str, make: Callable[[], T]) -> T:
        """Time the generation of partner files (not a product figure)."""
        started = time.perf_counter()
        made = make()
        step = Step(name, "gen", time.perf_counter() - started, result=str(made)[:60])
        self.generated.append(step)
        self._show(step)
        return made

    def command(self, name: str, *args: str, rows: int = 0, scales: bool = True) -> str:
        """Run `prakerja ARGS --db URL` as a child; measure it; return its standard output."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        number = len(self.steps) + 1
        out, err, peak = (
            self.work / "logs" / f"{number:02d}-{slug}.{ext}" for ext in ("out", "err", "rss")
        )
        sampler = BackendSampler(self.admin, self.database)
        env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="200")
        started = time.perf_counter()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            child = subprocess.Popen(
                [TIME, "-f", "%M", "-o", str(peak), PRAKERJA, *args, "--db", self.url],
                stdout=stdout,
                stderr=stderr,
                env=env,
            )
            sampler.start()
            child.wait()
        seconds = time.perf_counter() - started
        sampler.stop()
        text = out.read_text()
        if child.returncode:
            sys.exit(f"{name} failed ({child.returncode}): {err.read_text()[-2000:]}")
        last = [line for line in text.splitlines() if line.strip()]
        step = Step(
            name,
            "product",
            seconds,
            rss_mb=int(peak.read_text().split()[-1]) / 1024,
            pg_mb=sampler.peak_kb / 1024,
            db_mb=self.db_mb(),
            rows=rows,
            scales=scales,
            result=(last[-1] if last else "")[:90],
        )
        self.steps.append(step)
        self._show(step)
        saved = json.dumps([dataclasses.asdict(done) for done in self.steps], indent=1)
        (self.work / "steps.json").write_text(saved)
        return text

    def _show(self, step: Step) -> None:
        if step.kind == "gen":
            print(f"  gen  {step.name:<38} {step.seconds:8.1f}s  ({step.result})", flush=True)
            return
        load = _load().split()[0]
        print(
            f"  run  {step.name:<38} {step.seconds:8.1f}s  rss {step.rss_mb:7.0f} MB  "
            f"pg {step.pg_mb:6.0f} MB  db {step.db_mb:7.0f} MB  {step.rate():>9} rows/s  "
            f"load {load}  | {step.result}",
            flush=True,
        )


class BackendSampler(threading.Thread):
    """Samples the private memory (RssAnon) of the database's backends every half second."""

    def __init__(self, admin: str, database: str) -> None:
        super().__init__(daemon=True)
        self.admin, self.database = admin, database
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        with psycopg.connect(self.admin, autocommit=True) as connection:
            while not self.done.wait(0.5):
                pids = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
                ).fetchall()
                total = sum(_rss_anon_kb(pid) for (pid,) in pids)
                self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> None:
        """Stop sampling."""
        self.done.set()
        self.join()


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _rss_anon_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^RssAnon:\s+(\d+)", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _rows(paths: list[Path]) -> int:
    count = 0
    for path in paths:
        with path.open("rb") as handle:
            count += sum(1 for _ in handle) - 1
    return count


def write_registrations(work: Path, participants: int, seed: int) -> tuple[Path, Path, Path]:
    """Write waves.csv, the peak wave's registrations and the catalog."""
    registrations = round(participants * PEAK_WAVE_SHARE)
    plan = WavePlan(
        1, "PANDEMIC_2020", dt.date(2020, 4, 11), dt.date(2020, 4, 15), registrations, participants
    )
    waves = work / "waves.csv"
    write_csv(
        waves,
        ("wave", "scheme", "opens_on", "closes_on", "province_code", "quota"),
        waves_rows([plan]),
    )
    people = work / "participants-wave1.csv"
    write_csv(
        people, PARTICIPANT_COLUMNS, applicants(plan, ParticipantFactory(random.Random(seed)))
    )
    return waves, people, write_catalog(work, Marketplace(None, work, random.Random(seed)).seed)


def _cards(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _first_completion(purchases: list[Purchase]) -> dt.date | None:
    """The day the card's first training (earliest purchase not refunded) was completed."""
    for purchase in purchases:
        if not purchase.refunded:
            done = [on for on, row in purchase.events if row["event_type"] == "COMPLETION"]
            return done[0] if done else None
    return None


def write_marketplace(
    work: Path, seed: int, cards: list[dict[str, str]]
) -> tuple[list[Path], Path]:
    """Write the platforms' daily event files (in parts of CHUNK cards) and the accounts file."""
    market = Marketplace(None, work, random.Random(seed))
    # A webinar adds one ATTENDANCE event per session; without the 4-session ones the
    # cards send ~4 events each (~3.8 per participant, 2020: ~20 M for 5.6 M).
    market.courses = [course for course in market.courses if course.sessions <= MAX_SESSIONS]
    by_day: dict[dt.date, list[Path]] = {}
    accounts = work / "payout-accounts.csv"
    with accounts.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, ACCOUNT_COLUMNS)
        out.writeheader()
        for part, start in enumerate(range(0, len(cards), CHUNK)):
            purchases = []
            for card in cards[start : start + CHUNK]:
                if card["status"] != "ACTIVE":
                    continue
                issued = dt.date.fromisoformat(card["issued_on"])
                deadline = dt.date.fromisoformat(card["purchase_deadline"])
                plan = market.plan(card["card_number"], card["nik"], issued, deadline)
                purchases.extend(plan)
                completed = _first_completion(plan)
                holder = Holder(card["nik"], card["full_name"])
                if completed is not None:
                    day = completed + dt.timedelta(days=1)
                    row = account_row(seed, card["card_number"], holder, day)
                    if row is not None:
                        out.writerow(row)
            days = sorted({on for purchase in purchases for on, _ in purchase.events})
            for day in days:
                written = market.write_day(day, purchases, part=f"-part{part:03d}")
                if written is not None:
                    by_day.setdefault(day, []).append(written[0])
    return [path for day in sorted(by_day) for path in by_day[day]], accounts


def run_program(bench: Bench, participants: int, seed: int) -> str:
    """Generate, then run the program's commands in order."""
    work = bench.work
    waves, people, courses = bench.gen(
        "registrations, waves, catalog", lambda: write_registrations(work, participants, seed)
    )
    bench.command("init", "init", scales=False)
    bench.command("import waves", "import", "waves", str(waves), rows=1, scales=False)
    bench.command(
        "import courses", "import", "courses", str(courses), rows=_rows([courses]), scales=False
    )
    bench.command(
        "import participants (peak wave)",
        "import",
        "participants",
        str(people),
        rows=_rows([people]),
    )
    bench.command("waves select 1", "waves", "select", "1", "--date", str(SELECT_ON))
    cards_file = work / "cards.csv"
    bench.command("export cards", "export", "cards", "--wave", "1", "--out", str(cards_file))
    cards = _cards(cards_file)
    holders = {card["card_number"]: Holder(card["nik"], card["full_name"]) for card in cards}
    events, accounts = bench.gen(
        "platform events, accounts", lambda: write_marketplace(work, seed, cards)
    )
    print(f"  {len(events)} daily event files, {_rows(events):,} events", flush=True)
    bench.command(
        f"import platform-events ({len(events)} files)",
        "import",
        "platform-events",
        *map(str, events),
        rows=_rows(events),
    )
    bench.command(
        "import payout-accounts", "import", "payout-accounts", str(accounts), rows=_rows([accounts])
    )
    instructions = work / "instructions"
    for tranche, day in enumerate(TRANCHE_DAYS, start=1):
        bench.command(
            f"payouts run {day} (tranche {tranche})",
            "payouts",
            "run",
            "--date",
            str(day),
            "--out",
            str(instructions),
        )
        results = bench.gen(
            f"partner results {day}",
            lambda day=day: write_partner_results(work, seed, day, holders),
        )
        statement = bench.gen(
            f"bank statement {day}", lambda day=day: write_bank_statement(work, seed, day)
        )
        bench.command(
            f"import partner-results {day}",
            "import",
            "partner-results",
            *map(str, results),
            rows=_rows(results),
        )
        bench.command(
            f"import bank-statement {day}",
            "import",
            "bank-statement",
            str(statement),
            rows=_rows([statement]),
            scales=False,
        )
        bench.command(
            f"reconcile --date {day + dt.timedelta(days=2)}",
            "reconcile",
            "--date",
            str(day + dt.timedelta(days=2)),
        )
    last = TRANCHE_DAYS[-1] + dt.timedelta(days=2)
    return bench.command("reconcile --rebuild", "reconcile", "--date", str(last), "--rebuild")


def validate(bench: Bench, final: str) -> list[str]:
    """Check the outcome: counts, breaks by type, the gap sentence, escrow and books."""
    lines = []
    with psycopg.connect(f"postgresql://{bench.server}/{bench.database}") as connection:
        for table, where in (
            ("registrations", ""),
            ("cards", ""),
            ("cards", " WHERE status = 'ACTIVE'"),
            ("platform_events", ""),
            ("payout_accounts", ""),
            ("entitlements", ""),
            ("instructions", ""),
            ("partner_results", ""),
            ("bank_statement_lines", ""),
        ):
            row = connection.execute(f"SELECT count(*) FROM {table}{where}").fetchone()
            lines.append(f"{table}{where}: {row[0] if row else 0:,}")
        breaks = connection.execute(
            "SELECT break_type, status, count(*) FROM breaks GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        lines.append("breaks: " + ", ".join(f"{kind} {status} {n:,}" for kind, status, n in breaks))
        states = connection.execute(
            "SELECT state, count(*) FROM platform_events GROUP BY 1 ORDER BY 1"
        ).fetchall()
        lines.append("platform events: " + ", ".join(f"{state} {n:,}" for state, n in states))
    lines += [line for line in final.splitlines() if line.startswith(("open breaks", "escrow"))]
    lines.append("gap: " + final.strip().splitlines()[-1])
    engine = make_engine(bench.url)
    with unit_of_work(engine) as session:
        proof = payouts.prove_books(session)
    engine.dispose()
    lines.append(f"books balanced: {proof.balanced} (paid {proof.ledger.paid:,} IDR)")
    difference = re.search(r"difference (-?Rp [\d.]+)", final)
    lines.append(f"escrow difference: {difference.group(1) if difference else '?'}")
    return lines


def _extrapolated(step: Step, factor: float, fixed: float) -> float:
    """Linear in the program's size (rows/s x rows), the start-up not multiplied."""
    if not step.scales:
        return step.seconds
    return fixed + max(step.seconds - fixed, 0.0) * factor


def markdown(steps: list[Step], participants: int) -> str:
    """The measured table, with each product step extrapolated linearly to 5.6 M."""
    factor = FULL_SIZE / participants
    # A command's start-up (interpreter, imports, connection) does not grow with the
    # program: the quickest fixed-size command measures it, and only the rest is scaled.
    fixed = min(s.seconds for s in steps if not s.scales)
    head = (
        "| step | wall s | child peak RSS MB | PG backends peak MB | DB size after MB | rows "
        f"| rows/s | extrapolated to 5.6 M, s (x{factor:g}) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    body = [
        f"| {s.name} | {s.seconds:,.1f} | {s.rss_mb:,.0f} | {s.pg_mb:,.0f} | {s.db_mb:,.0f} "
        f"| {s.rows:,} | {s.rate()} | {_extrapolated(s, factor, fixed):,.0f} |"
        for s in steps
    ]
    total = sum(s.seconds for s in steps)
    extrapolated = sum(_extrapolated(s, factor, fixed) for s in steps)
    body.append(f"| **all product steps** | **{total:,.1f}** | | | | | | **{extrapolated:,.0f}** |")
    return "\n".join([head, *body])


def main() -> None:
    """Run the whole program at the size asked and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=FULL_SIZE)
    parser.add_argument("--server", default="postgres@127.0.0.1:5432", help="user@host:port")
    parser.add_argument("--database", default="program_e2e")
    parser.add_argument("--work", type=Path, default=Path("/work/scratch/program-bench"))
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep the database as it is")
    parser.add_argument("--table", action="store_true", help="only print a past run's table")
    args = parser.parse_args()
    work = args.work / f"n{args.participants}"
    if args.table:
        saved = json.loads((work / "steps.json").read_text())
        print(markdown([Step(**step) for step in saved], args.participants))
        return
    bench = Bench(args.server, args.database, work)
    print(f"program end to end: {args.participants:,} participants, load {_load()}")
    bench.recreate(keep=args.keep)
    started = time.perf_counter()
    final = run_program(bench, args.participants, args.seed)
    print(f"\nall in {time.perf_counter() - started:,.0f}s (generation included)")
    for line in validate(bench, final):
        print("  " + line)
    print(f"load at the end: {_load()}\n")
    print(markdown(bench.steps, args.participants))
    generated = sum(step.seconds for step in bench.generated)
    print(f"\ngenerating the partners' files (not in the table): {generated:,.0f}s")


if __name__ == "__main__":
    main()
