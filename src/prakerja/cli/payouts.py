"""`prakerja payouts ...`: instruct the day's incentives, cancel an unexecuted instruction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prakerja.cli.common import DateOption, DbOption, open_database, parse_day, say

app = typer.Typer(help="Incentive payouts: instructions to payment partners.", no_args_is_help=True)


@app.command("run")
def run_command(
    date: DateOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for the instruction files.")],
    db: DbOption = None,
) -> None:
    """Instruct every entitlement due by D that can be paid; one file per partner in DIR.

    DIR is checked (a folder, created if need be, writable) before anything is
    committed. Only new batches, and any a killed run left unwritten, are written.
    """
    from prakerja.kit.money import format_rupiah
    from prakerja.operations.timeline import advance_to
    from prakerja.payouts import service as payouts
    from prakerja.storage.db import unit_of_work
    from prakerja.storage.faults import fault_point

    day = parse_day(date)
    payouts.prepare_instruction_folder(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        effects = advance_to(session, day=day)
        batches = payouts.run_payouts(session, day=day)
        fault_point("payouts.before_commit")
    fault_point("payouts.before_files")
    with unit_of_work(engine) as session:
        files = payouts.instruction_files(session, day=day, out=out)
    count = sum(batch.instructions for batch in batches)
    amount = sum(batch.amount_idr for batch in batches)
    say(
        f"{day}: entitlements fallen due={effects.entitlements_due} instructed={count} "
        f"({format_rupiah(amount)}) in {len(batches)} batch(es)"
    )
    for path, rows in files:
        say(f"wrote {path} ({rows} rows)")
    if not files:
        say(f"no instruction file to write: no new batch, and none left unwritten, for {day}")


@app.command("cancel")
def cancel_command(
    instruction_id: Annotated[str, typer.Argument(help="The instruction to cancel.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (the partner's confirmation).")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Business day (default: the latest payouts run's day)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Cancel an instruction the partner confirms it never executed (it must have no result)."""
    from prakerja.payouts import service as payouts
    from prakerja.storage.db import unit_of_work

    day = parse_day(date) if date is not None else None
    engine = open_database(db)
    with unit_of_work(engine) as session:
        cancelled = payouts.cancel_instruction(
            session, instruction_id=instruction_id, reason=reason, day=day
        )
    if cancelled.paid_on is None:
        outcome = "the next payouts run instructs it again as a new attempt"
    else:
        outcome = f"an earlier attempt's SUCCESS paid it on {cancelled.paid_on}; nothing is resent"
    say(f"cancelled {cancelled.instruction_id} on {cancelled.cancelled_on}; {outcome}")
