"""`prakerja reconcile`, `prakerja breaks ...` and the reconciliation's exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prakerja.cli.common import (
    DateOption,
    DbOption,
    open_database,
    parse_day,
    say,
    tell,
    writable_file,
    writable_folder,
)
from prakerja.cli.exports import write_csv

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from prakerja.reconciliation.escrow import EscrowProof
    from prakerja.reconciliation.service import RunSummary

breaks_app = typer.Typer(
    help="Reconciliation breaks (selisih): resolve one with a written reason.",
    no_args_is_help=True,
)
OutFile = Annotated[Path, typer.Option("--out", help="File to write.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder to write the statement into.")]
OutLake = Annotated[Path, typer.Option("--out", help="Folder to write the Parquet facts into.")]


def reconcile_command(
    date: DateOption,
    *,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="Rebuild every break from scratch, replaying each day reconciled."
        ),
    ] = False,
    engine_name: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Where the break conditions run: duckdb (in process) or spark "
            "(local mode; PRAKERJA_SPARK_REMOTE or PRAKERJA_SPARK_MASTER for a cluster).",
        ),
    ] = "duckdb",
    facts_dir: Annotated[
        Path | None,
        typer.Option(
            "--facts",
            help="Read the day's facts from the Parquet folder `export facts` wrote, instead "
            "of the database (DuckDB reads it lazily; Spark reads it where it lies).",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Read the whole history. By default a daily run after a daily run reads only "
            "the keys whose facts changed since (or that the day itself can change); the "
            "breaks come out the same.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Reconcile everything known up to a day; end with the gap report's sentence."""
    from prakerja.kit.progress import RichReporter
    from prakerja.operations.signals import record_signals
    from prakerja.operations.timeline import advance_to
    from prakerja.reconciliation import service
    from prakerja.reconciliation.engine import ENGINES
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    if engine_name not in ENGINES:
        raise typer.BadParameter(
            f"unknown engine {engine_name!r}; one of: {', '.join(ENGINES)}", param_hint="--engine"
        )
    if facts_dir is not None:
        _check_export(facts_dir, day, rebuild=rebuild)
    engine = open_database(db)
    with RichReporter() as reporter, unit_of_work(engine) as session:
        latest = service.latest_run_day(session)
        if not rebuild and latest is not None and latest > day:
            tell(f"the breaks are kept as of {latest}; {day} is shown as it was, nothing changed")
            summary = service.recorded_run(session, day=day)
        elif rebuild:
            advance_to(session, day=day)
            replayed = service.rebuild(session, day=day, reporter=reporter, engine=engine_name)
            tell(f"rebuilt the breaks from scratch over {len({s.day for s in replayed})} day(s)")
            summary = replayed[-1]
        else:
            advance_to(session, day=day)
            summary = service.reconcile(
                session,
                day=day,
                reporter=reporter,
                engine=engine_name,
                facts_dir=facts_dir,
                full=full,
            )
        new, seen = record_signals(session, summary)
        gap, escrow = (
            (summary.gap, summary.escrow)
            if summary.gap and summary.escrow
            else service.day_position(session, day=day)
        )
    _print_run(summary, escrow)
    say(f"integrity signals on {day}: {new} new, {seen} seen in all (leads, nothing held)")
    say(gap.sentence())


def _check_export(folder: Path, day: dt.date, *, rebuild: bool) -> None:
    """Refuse a Parquet export that is not the day's (or a rebuild, which needs every fact)."""
    from prakerja.reconciliation.lake import read_manifest

    if rebuild:
        raise typer.BadParameter(
            "a rebuild replays what each past run knew, which an export does not hold",
            param_hint="--facts",
        )
    try:
        exported, _ = read_manifest(folder)
    except ValueError as unreadable:
        raise typer.BadParameter(str(unreadable), param_hint="--facts") from unreadable
    if exported != day:
        raise typer.BadParameter(
            f"{folder} holds the facts of {exported}, not of {day}", param_hint="--facts"
        )


def _print_run(summary: RunSummary, escrow: EscrowProof) -> None:
    from prakerja.kit.money import format_rupiah

    say(
        f"reconciled {summary.day}: {summary.opened} break(s) opened, "
        f"{summary.resolved} resolved, {summary.open_after} open"
    )
    say("open breaks: " + " ".join(f"{kind}={n}" for kind, n in summary.open_by_type.items()))
    say(
        f"escrow {escrow.day}: opening {format_rupiah(escrow.opening_idr)} "
        f"+ credits {format_rupiah(escrow.credits_idr)} "
        f"- debits {format_rupiah(escrow.debits_idr)} "
        f"= closing {format_rupiah(escrow.closing_idr)}; "
        f"books: funded {format_rupiah(escrow.books.funded_idr)} "
        + (f"+ repaid {format_rupiah(escrow.books.repaid_idr)} " if escrow.books.repaid_idr else "")
        + f"- paid {format_rupiah(escrow.books.paid_idr)} "
        f"- in flight {format_rupiah(escrow.books.in_flight_idr)} "
        f"- written off {format_rupiah(escrow.books.written_off_idr)} "
        f"= {format_rupiah(escrow.ledger_idr)}; "
        f"difference {format_rupiah(escrow.difference_idr)}"
    )
    _print_repayments(escrow)


_UNKNOWN_SHOWN = 10


def _print_repayments(escrow: EscrowProof) -> None:
    """Say what the escrow received as repayments: credited to claims, and naming none."""
    from prakerja.kit.money import format_rupiah

    repayments = escrow.repayments
    if not repayments.total_idr:
        return
    unknown = ", ".join(
        f"{line.bank_ref} ({format_rupiah(line.amount_idr)}, quoting {line.quoted or 'nothing'})"
        for line in repayments.unknown[:_UNKNOWN_SHOWN]
    )
    if len(repayments.unknown) > _UNKNOWN_SHOWN:
        unknown += f" and {len(repayments.unknown) - _UNKNOWN_SHOWN} more"
    say(
        f"repayments {escrow.day}: {format_rupiah(repayments.total_idr)} received, "
        f"{format_rupiah(repayments.to_claims_idr)} credited to claims, "
        f"{format_rupiah(repayments.unknown_idr)} naming no claim"
        + (f": {unknown}" if unknown else "")
    )


@breaks_app.command("resolve")
def resolve_command(
    break_id: Annotated[str, typer.Argument(help="The break's id, as in breaks.csv.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the break is resolved.")],
    write_off: Annotated[
        bool,
        typer.Option(
            "--write-off",
            help="A bank fee on a batch debit (BATCH_TOTAL_MISMATCH): post what the bank took "
            "beyond the batch to the books as written off.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Resolve an open break with a written reason (recorded with who and when)."""
    from prakerja.reconciliation.service import resolve_break
    from prakerja.storage.db import unit_of_work

    engine = open_database(db)
    with unit_of_work(engine) as session:
        resolved = resolve_break(
            session, break_id=break_id.strip(), reason=reason, write_off=write_off
        )
        line = (
            f"resolved {resolved.break_id} ({resolved.break_type}) on {resolved.resolved_on} "
            f"by {resolved.resolved_by}"
        )
    say(line)


def reconciled_up_to(session: Session, day: dt.date) -> None:
    """Reconcile `day` (and evaluate its signals) first unless a later day was reconciled.

    The latest day reconciled is run again (a run is idempotent): facts that
    arrived since its run, dated up to it, are known up to it.
    """
    from prakerja.operations.signals import record_signals
    from prakerja.operations.timeline import advance_to
    from prakerja.reconciliation.service import latest_run_day, reconcile

    latest = latest_run_day(session)
    if latest is None or latest <= day:
        advance_to(session, day=day)
        record_signals(session, reconcile(session, day=day))
        tell(f"reconciled {day} first")


def export_breaks(date: DateOption, out: OutFile, db: DbOption = None) -> None:
    """breaks.csv as of a day: every break found, OPEN or RESOLVED by then."""
    from prakerja.reporting.breaks import BREAKS_COLUMNS, breaks_as_of
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        reconciled_up_to(session, day)
        rows = breaks_as_of(session, day=day)
    count = write_csv(out, BREAKS_COLUMNS, (_csv_cells(row) for row in rows))
    say(f"wrote {count} rows to {out}")


def export_gap(date: DateOption, out: OutFile, db: DbOption = None) -> None:
    """The gap report as of a day: stage, participants, amount_idr (every stage present)."""
    from prakerja.operations.timeline import advance_to
    from prakerja.reconciliation.service import day_position
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        advance_to(session, day=day)
        gap, _escrow = day_position(session, day=day)
    count = write_csv(
        out,
        ("stage", "participants", "amount_idr"),
        ((row.stage.value, row.participants, row.amount_idr) for row in gap.rows),
    )
    say(f"wrote {count} rows to {out}")
    say(gap.sentence())


def export_statement(date: DateOption, out: OutDir, db: DbOption = None) -> None:
    """The auditors' daily statement as an Excel workbook and a PDF, written into a folder."""
    from prakerja.reporting.pdf import write_pdf
    from prakerja.reporting.statement import build_statement
    from prakerja.reporting.workbook import write_workbook
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_folder(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        reconciled_up_to(session, day)
        statement = build_statement(session, day=day)
    stem = f"reconciliation-statement-{day.isoformat()}"
    workbook = write_workbook(statement, out / f"{stem}.xlsx")
    document = write_pdf(statement, out / f"{stem}.pdf")
    say(f"wrote {workbook}")
    say(f"wrote {document}")


def _csv_cells(row: Sequence[object]) -> tuple[object, ...]:
    return tuple(value.isoformat() if isinstance(value, dt.date) else value for value in row)


def export_facts(date: DateOption, out: OutLake, db: DbOption = None) -> None:
    """The facts the reconciliation reads on a day, as Parquet (a data lake's shape, for Spark)."""
    from prakerja.operations.timeline import advance_to
    from prakerja.reconciliation.engine import engine_tables
    from prakerja.reconciliation.lake import write_facts
    from prakerja.reconciliation.service import read_facts
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_folder(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        advance_to(session, day=day)
        facts = read_facts(session, day=day)
    written = write_facts(out, engine_tables(facts), day=day)
    say(
        f"wrote {len(written)} tables ({sum(t.rows for t in written)} rows) as Parquet to {out}: "
        + " ".join(f"{t.name}={t.rows}" for t in written)
    )


def register_exports(exports: typer.Typer) -> None:
    """Add the reconciliation's exports to `prakerja export`."""
    exports.command("facts")(export_facts)
    exports.command("breaks")(export_breaks)
    exports.command("gap")(export_gap)
    exports.command("statement")(export_statement)
