"""`prakerja demo`: simulate a program, drive it through the product, print what happened."""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, inspect

from prakerja.demo.complaints import Complaints, plant_complaints, show_complaints
from prakerja.demo.findings import show_findings
from prakerja.demo.marketplace import Marketplace, MarketplaceReport
from prakerja.demo.operator import DeskDay, audit_list, work_breaks
from prakerja.demo.payouts import Holder, PayoutDay, card_holders, payout_day, print_payouts
from prakerja.demo.planted import plant_accounts, plant_fast_completions, plant_registrations
from prakerja.demo.reconciliation import reconcile_day, show_reconciliation
from prakerja.demo.recovery import plant_repayments, show_recoveries
from prakerja.demo.synth import (
    PARTICIPANT_COLUMNS,
    ParticipantFactory,
    WavePlan,
    applicants,
    exclusion_rows,
    waves_rows,
    write_csv,
)
from prakerja.ingest.pipeline import ImportSummary, Loader, import_files
from prakerja.kit.errors import InputError
from prakerja.kit.money import format_rupiah
from prakerja.kit.progress import Reporter
from prakerja.ledger.service import balances_by_kind
from prakerja.operations.timeline import advance_to
from prakerja.registry.loaders import ExclusionsLoader, ParticipantsLoader, WavesLoader
from prakerja.registry.service import SelectionSummary, card_rows, select_wave
from prakerja.storage.db import make_engine, unit_of_work
from prakerja.storage.migrate import upgrade

DEMO_DIR = Path("demo-output")
ONE_DAY = dt.timedelta(days=1)
SELECTION_SEED = "prakerja-demo"
#: The day the auditors' civil-service list arrives (the first business day on or after it).
AUDIT_LIST_ON = dt.date(2020, 7, 1)


@dataclass
class DemoReport:
    """What the demo did, for its closing summary."""

    imports: dict[str, ImportSummary] = field(default_factory=dict)
    selections: list[SelectionSummary] = field(default_factory=list)
    revoked_by_day: dict[dt.date, int] = field(default_factory=dict)
    marketplace: MarketplaceReport = field(default_factory=MarketplaceReport)
    payout_days: list[PayoutDay] = field(default_factory=list)
    desk_days: list[DeskDay] = field(default_factory=list)
    complaints: Complaints | None = None
    last_day: dt.date | None = None

    def all_imports(self) -> dict[str, ImportSummary]:
        """Return the counts of every file kind imported, over the whole program."""
        totals: dict[str, ImportSummary] = {}
        days = [payout_day.imports for payout_day in self.payout_days]
        for imports in (self.imports, self.marketplace.imports, *days):
            for kind, counts in imports.items():
                totals.setdefault(kind, ImportSummary()).add(counts)
        return totals


def _plans(participants: int) -> list[WavePlan]:
    share = (0.3, 0.3, 0.25, 0.15)
    starts = (dt.date(2020, 4, 11), dt.date(2020, 4, 20), dt.date(2020, 4, 26), dt.date(2020, 6, 1))
    plans = []
    for number, (part, opens_on) in enumerate(zip(share, starts, strict=True), start=1):
        count = max(5, int(participants * part))
        plans.append(
            WavePlan(
                wave=number,
                scheme="PANDEMIC_2020",
                opens_on=opens_on,
                closes_on=opens_on + dt.timedelta(days=4),
                applicants=count,
                places=max(2, int(count * 0.4)),
            )
        )
    return plans


def _open_empty(db_url: str | None, folder: Path) -> Engine:
    if db_url is None:
        path = folder / "prakerja-demo.db"
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        db_url = f"sqlite:///{path.resolve()}"
    engine = make_engine(db_url)
    if inspect(engine).get_table_names():
        raise InputError("the demo needs an empty database; give --db an empty one or leave it out")
    upgrade(engine)
    return engine


def write_program(
    folder: Path, participants: int, seed: int
) -> tuple[list[WavePlan], dict[str, list[Path]]]:
    """Write the synthetic program's contract files; return the plans and the files by kind."""
    rng = random.Random(seed)
    plans = _plans(participants)
    factory = ParticipantFactory(rng)
    write_csv(
        folder / "waves.csv",
        ("wave", "scheme", "opens_on", "closes_on", "province_code", "quota"),
        waves_rows(plans),
    )
    files: dict[str, list[Path]] = {
        "waves": [folder / "waves.csv"],
        "participants": [],
        "exclusions": [],
    }
    by_wave = [list(applicants(plan, factory)) for plan in plans]
    plant_registrations(factory, by_wave[0], by_wave[1])
    everyone: list[dict[str, str]] = []
    for plan, rows in zip(plans, by_wave, strict=True):
        everyone.extend(rows)
        path = folder / f"participants-wave{plan.wave}.csv"
        write_csv(path, PARTICIPANT_COLUMNS, rows)
        files["participants"].append(path)
    resubmitted = folder / "participants-resubmitted.csv"
    write_csv(resubmitted, PARTICIPANT_COLUMNS, rng.sample(everyone, k=max(1, len(everyone) // 50)))
    files["participants"].append(resubmitted)
    write_csv(
        folder / "exclusions.csv",
        ("nik", "list_code", "period", "source"),
        exclusion_rows(rng, everyone, 0.03),
    )
    files["exclusions"].append(folder / "exclusions.csv")
    return plans, files


def program_days(plans: list[WavePlan], *, months_after: int = 5) -> list[dt.date]:
    """Return the business days the demo runs: each selection day, then every week after."""
    selections = [plan.closes_on + ONE_DAY for plan in plans]
    last = max(selections) + dt.timedelta(days=30 * months_after)
    weekly = [
        min(selections) + dt.timedelta(days=7 * n)
        for n in range((last - min(selections)).days // 7 + 1)
    ]
    return sorted(set(selections) | set(weekly))


def run_program(
    engine: Engine,
    plans: list[WavePlan],
    files: dict[str, list[Path]],
    *,
    seed: int,
    reporter: Reporter | None = None,
) -> DemoReport:
    """Run the program day by day, as its operators would.

    Registrations and barring lists arrive first. Then, on each business day:
    the waves due are selected, the platforms' events and invoices of the days
    since the last one are imported (with the providers' commits), the payment
    side plays its day (accounts, survey answers, the payouts run, the
    partners' results and the escrow statement), and the day is reconciled. On the last
    day a participant files a grievance and a partner disputes a break.
    """
    report = DemoReport()
    loaders: dict[str, Loader] = {
        "waves": WavesLoader(),
        "exclusions": ExclusionsLoader(),
        "participants": ParticipantsLoader(),
    }
    for kind, loader in loaders.items():
        report.imports[kind] = import_files(engine, loader, files[kind], reporter)
    folder = files["waves"][0].parent
    (folder / "instructions").mkdir(parents=True, exist_ok=True)
    market = Marketplace(engine, folder, random.Random(seed))
    report.imports["courses"] = market.load_catalog()
    due = {plan.closes_on + ONE_DAY: plan for plan in plans}
    holders: dict[str, Holder] = {}
    niks: dict[str, str] = {}
    days = program_days(plans)
    audit_day = min((day for day in days if day >= AUDIT_LIST_ON), default=None)
    previous = days[0] - ONE_DAY
    if reporter:
        reporter.start("running the program day by day", len(days))
    for day in days:
        report.marketplace.merge(market.simulate(previous + ONE_DAY, day - ONE_DAY, niks))
        if day in due:
            with unit_of_work(engine) as session:
                effects = advance_to(session, day=day)
                if effects.cards_revoked:
                    report.revoked_by_day[day] = effects.cards_revoked
                report.selections.append(
                    select_wave(session, wave=due[day].wave, day=day, seed=SELECTION_SEED)
                )
            holders = card_holders(engine, [summary.wave for summary in report.selections])
            niks = {card: holder.nik for card, holder in holders.items()}
        if day == audit_day:
            report.imports["exclusions (auditors)"] = audit_list(engine, folder, seed, day, holders)
        report.marketplace.merge(market.simulate(day, day, niks))
        if day == min(due):
            report.imports["payout-accounts (planted)"] = plant_accounts(engine, folder, day)
            report.marketplace.add(
                "platform-events (planted)", plant_fast_completions(engine, folder, day)
            )
        report.payout_days.append(payout_day(engine, folder, seed, day, holders))
        repaid = plant_repayments(engine, folder, day)
        if repaid is not None:
            report.imports["bank-statement (repayments)"] = repaid
        reconcile_day(engine, day)
        desk = work_breaks(engine, day)
        if desk.written_off:
            reconcile_day(engine, day)  # the day's recorded escrow proof counts the write-off
        report.desk_days.append(desk)
        if day == days[-1]:
            report.complaints = plant_complaints(engine, day)
        report.last_day = day
        previous = day
        if reporter:
            reporter.advance(1)
    return report


def _print_report(console: Console, engine: Engine, report: DemoReport, folder: Path) -> None:
    console.print(_imports_table(report))
    console.print(_waves_table(report))
    for day, count in report.revoked_by_day.items():
        console.print(
            f"{day}: {count} cards revoked for no purchase within the deadline; "
            "their places went to the next wave"
        )
    with unit_of_work(engine) as session:
        books = balances_by_kind(session)
        active = sum(
            1
            for summary in report.selections
            for row in card_rows(session, wave=summary.wave)
            if row.status == "ACTIVE"
        )
    console.print(_ledger_table(books))
    console.print(f"Provider commits (redeem-code API service): {report.marketplace.commits}")
    console.print(f"Active cards: {active}. Files, rejects and exports are in {folder}/")
    cancelled = sum(desk.cancelled for desk in report.desk_days)
    written_off = sum(desk.written_off for desk in report.desk_days)
    console.print(
        f"Reconciliation desk: {cancelled} instructions cancelled after their partner confirmed "
        f"they were never executed (each instructed again), {written_off} bank fees on batch "
        "debits written off by finance"
    )


def _imports_table(report: DemoReport) -> Table:
    imports = Table(title="Files imported", title_justify="left")
    for column in ("file kind", "loaded", "duplicates", "rejected", "pending"):
        imports.add_column(column, justify="right" if column != "file kind" else "left")
    for kind, counts in report.all_imports().items():
        imports.add_row(
            kind,
            str(counts.loaded),
            str(counts.duplicates),
            str(counts.rejected),
            str(counts.pending),
        )
    return imports


def _waves_table(report: DemoReport) -> Table:
    waves = Table(title="Selection by wave", title_justify="left")
    waves.add_column("")
    for summary in report.selections:
        waves.add_column(f"wave {summary.wave}", justify="right")
    waves.add_row("selected on", *(str(s.selected_on) for s in report.selections))
    waves.add_row("places", *(str(sum(s.places.values())) for s in report.selections))
    waves.add_row("applicants", *(str(s.applicants) for s in report.selections))
    waves.add_row("[bold]selected[/bold]", *(str(s.selected) for s in report.selections))
    reasons = sorted({reason for s in report.selections for reason in s.reasons})
    for reason in reasons:
        waves.add_row(reason, *(str(s.reasons.get(reason, 0)) for s in report.selections))
    return waves


def _ledger_table(books: dict[str, int]) -> Table:
    ledger = Table(title="Ledger balances (must sum to zero)", title_justify="left")
    ledger.add_column("account")
    ledger.add_column("balance", justify="right")
    for kind, amount in sorted(books.items()):
        ledger.add_row(kind, format_rupiah(amount))
    ledger.add_row("[bold]total[/bold]", format_rupiah(sum(books.values())))
    return ledger


def _command_hint() -> str:
    """Return how to run `prakerja` here: bare when it is on the PATH, else its full path."""
    import shutil

    beside = Path(sys.executable).with_name("prakerja")
    if shutil.which("prakerja") or not beside.exists():
        return "prakerja"
    return str(beside)


def run_demo(db_url: str | None, participants: int, seed: int) -> DemoReport:
    """Simulate a whole program, drive it through the product and print its report."""
    from prakerja.kit.progress import LineReporter, RichReporter

    console = Console(width=None if sys.stdout.isatty() else 110)
    folder = DEMO_DIR.resolve()
    folder.mkdir(exist_ok=True)
    engine = _open_empty(db_url, folder)
    console.print(f"[bold]Prakerja demo[/bold]: {participants} applicants in 4 waves, seed {seed}")
    progress = LineReporter()
    progress.start("writing the synthetic program's files", participants)
    plans, files = write_program(folder, participants, seed)
    progress.advance(participants)
    if sys.stderr.isatty():
        with RichReporter(show_notes=False) as reporter:
            report = run_program(engine, plans, files, seed=seed, reporter=reporter)
    else:
        report = run_program(engine, plans, files, seed=seed, reporter=progress)
    _print_report(console, engine, report, folder)
    print_payouts(console, engine)
    assert report.last_day is not None
    show_reconciliation(console, engine, report.last_day, folder)
    show_findings(console, engine, report.last_day)
    database = "" if db_url else f" --db sqlite:///{folder / 'prakerja-demo.db'}"
    command = _command_hint()
    console.print(
        f"Staff pages: {command} users add demo --role OPERATOR{database}  (prints a password), "
        f"then {command} serve{database}  and sign in at http://127.0.0.1:8000/login"
    )
    show_complaints(console, engine, report.last_day)
    show_recoveries(console, engine, report.last_day, folder)
    return report
