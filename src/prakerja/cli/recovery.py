"""`prakerja export recoveries`: the recovery claims of ineligible payments as of a day."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prakerja.cli.common import DateOption, DbOption, open_database, parse_day, say, writable_file
from prakerja.cli.exports import write_csv
from prakerja.cli.reconciliation import reconciled_up_to

OutFile = Annotated[Path, typer.Option("--out", help="File to write.")]


def export_recoveries(date: DateOption, out: OutFile, db: DbOption = None) -> None:
    """Every recovery claim opened by a day, with what was repaid by then and its status."""
    from prakerja.recovery.service import RECOVERY_COLUMNS, recoveries, recovery_totals
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        reconciled_up_to(session, day)
        rows = recoveries(session, day=day)
        totals = recovery_totals(session, day=day, claimed=rows)
    count = write_csv(out, RECOVERY_COLUMNS, (claim.contract_row() for claim in rows))
    say(f"wrote {count} rows to {out}")
    say(totals.sentence())


def register_exports(exports: typer.Typer) -> None:
    """Add the recovery's export to `prakerja export`."""
    exports.command("recoveries")(export_recoveries)
