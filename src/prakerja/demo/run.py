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

from prakerja.demo.marketplace import Marketplace, MarketplaceReport, category_ranking
from prakerja.demo.reconciliation import business_days, reconcile_days, show_reconciliation
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


@dataclass
class DemoReport:
    """What the demo did, for its closing summary."""

    imports: dict[str, ImportSummary] = field(default_factory=dict)
    selections: list[SelectionSummary] = field(default_factory=list)
    revoked_by_day: dict[dt.date, int] = field(default_factory=dict)
    marketplace: MarketplaceReport = field(default_factory=MarketplaceReport)


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
    everyone: list[dict[str, str]] = []
    for plan in plans:
        rows = list(applicants(plan, factory))
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


def run_program(
    engine: Engine,
    plans: list[WavePlan],
    files: dict[str, list[Path]],
    reporter: Reporter | None = None,
) -> DemoReport:
    """Import the files and select every wave on the day after it closes."""
    report = DemoReport()
    loaders: dict[str, Loader] = {
        "waves": WavesLoader(),
        "exclusions": ExclusionsLoader(),
        "participants": ParticipantsLoader(),
    }
    for kind, loader in loaders.items():
        report.imports[kind] = import_files(engine, loader, files[kind], reporter)
    folder = files["waves"][0].parent
    market = Marketplace(engine, folder, random.Random(len(plans)))
    report.imports["courses"] = market.load_catalog()
    for number, plan in enumerate(plans):
        day = plan.closes_on + dt.timedelta(days=1)
        with unit_of_work(engine) as session:
            effects = advance_to(session, day)
            if effects.cards_revoked:
                report.revoked_by_day[day] = effects.cards_revoked
            report.selections.append(
                select_wave(
                    session, wave=plan.wave, day=day, seed=SELECTION_SEED, reporter=reporter
                )
            )
        following = plans[number + 1].closes_on if number + 1 < len(plans) else day + 45 * ONE_DAY
        report.marketplace.merge(market.simulate(day, following))
    return report


def _print_report(console: Console, engine: Engine, report: DemoReport, folder: Path) -> None:
    imports = Table(title="Files imported", title_justify="left")
    for column in ("file kind", "loaded", "duplicates", "rejected", "pending"):
        imports.add_column(column, justify="right" if column != "file kind" else "left")
    for kind, counts in report.imports.items():
        imports.add_row(
            kind,
            str(counts.loaded),
            str(counts.duplicates),
            str(counts.rejected),
            str(counts.pending),
        )
    for kind, counts in report.marketplace.imports.items():
        imports.add_row(
            kind,
            str(counts.loaded),
            str(counts.duplicates),
            str(counts.rejected),
            str(counts.pending),
        )
    console.print(imports)

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
    console.print(waves)
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
            for row in card_rows(session, summary.wave)
            if row.status == "ACTIVE"
        )
    ledger = Table(title="Ledger balances (must sum to zero)", title_justify="left")
    ledger.add_column("account")
    ledger.add_column("balance", justify="right")
    for kind, amount in sorted(books.items()):
        ledger.add_row(kind, format_rupiah(amount))
    ledger.add_row("[bold]total[/bold]", format_rupiah(sum(books.values())))
    console.print(ledger)
    ranking = Table(title="Training categories by participants", title_justify="left")
    ranking.add_column("category")
    ranking.add_column("participants", justify="right")
    for category, participants in category_ranking(engine):
        ranking.add_row(category, str(participants))
    console.print(ranking)
    console.print(f"Provider commits (redeem-code API service): {report.marketplace.commits}")
    console.print(f"Active cards: {active}. Files, rejects and exports are in {folder}/")


def run_demo(db_url: str | None, participants: int, seed: int) -> DemoReport:
    """Simulate a whole program, drive it through the product and print its summary."""
    from prakerja.kit.progress import RichReporter

    console = Console(width=None if sys.stdout.isatty() else 110)
    folder = DEMO_DIR.resolve()
    folder.mkdir(exist_ok=True)
    engine = _open_empty(db_url, folder)
    console.print(f"[bold]Prakerja demo[/bold]: {participants} applicants in 4 waves, seed {seed}")
    plans, files = write_program(folder, participants, seed)
    first, last = (plan.closes_on + dt.timedelta(days=1) for plan in (plans[0], plans[-1]))
    with RichReporter(show_notes=False) as reporter:
        report = run_program(engine, plans, files, reporter)
        reconcile_days(engine, business_days(first, last), reporter)
    _print_report(console, engine, report, folder)
    _play_payouts(console, engine, folder, plans, seed)
    show_reconciliation(console, engine, last, folder)
    return report


def _play_payouts(
    console: Console, engine: Engine, folder: Path, plans: list[WavePlan], seed: int
) -> None:
    """Pay the participants weekly for four months after the last selection (issue 4)."""
    from prakerja.demo.payouts import play_payouts, print_payouts

    start = max(plan.closes_on for plan in plans) + dt.timedelta(days=1)
    days = [start + dt.timedelta(days=7 * week) for week in range(18)]
    waves = [plan.wave for plan in plans]
    play_payouts(engine, folder, random.Random(seed), days=days, waves=waves)
    print_payouts(console, engine)
