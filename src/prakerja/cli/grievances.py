"""`prakerja grievances resolve` and `prakerja export grievances`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prakerja.cli.common import DateOption, DbOption, open_database, parse_day, say, writable_file

app = typer.Typer(help="Participants' grievances (pengaduan).", no_args_is_help=True)


@app.command("resolve")
def resolve_command(
    grievance_id: Annotated[str, typer.Argument(help="The grievance's id (GRV-...).")],
    reason: Annotated[str, typer.Option("--reason", help="The written answer to the participant.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Day of the resolution (default: today, Jakarta).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Resolve an open grievance with a written reason (recorded with who and when)."""
    from prakerja.kit.clock import jakarta_date, utc_now
    from prakerja.participants.service import resolve_grievance
    from prakerja.storage.db import unit_of_work

    now = utc_now()
    day = parse_day(date) if date else jakarta_date(now)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        resolved = resolve_grievance(
            session, grievance_id=grievance_id, reason=reason, day=day, now=now
        )
        line = f"resolved {resolved.grievance_id} ({resolved.category}) on {resolved.resolved_on}"
    say(line)


def export_grievances(
    date: DateOption,
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    db: DbOption = None,
) -> None:
    """grievances.csv as of a day: every grievance opened by then, OPEN or RESOLVED."""
    from prakerja.cli.exports import write_csv
    from prakerja.participants.service import GRIEVANCE_COLUMNS, grievances_as_of
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        rows = grievances_as_of(session, day=day)
    count = write_csv(
        out,
        GRIEVANCE_COLUMNS,
        ([_cell(row[column]) for column in GRIEVANCE_COLUMNS] for row in rows),
    )
    say(f"wrote {count} rows to {out}")


def _cell(value: object) -> object:
    """Return a CSV cell: dates as YYYY-MM-DD, everything else as it is."""
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else value


def register_exports(exports: typer.Typer) -> None:
    """Add the grievances' export to `prakerja export`."""
    exports.command("grievances")(export_grievances)
