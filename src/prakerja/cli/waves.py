"""`prakerja waves ...`: select a wave's participants."""

from __future__ import annotations

from typing import Annotated

import typer

from prakerja.cli.common import DateOption, DbOption, open_database, parse_day, say

app = typer.Typer(help="Waves (gelombang): selection within quotas.", no_args_is_help=True)


@app.command("select")
def select_command(
    wave: Annotated[int, typer.Argument(help="The wave number.")],
    date: DateOption,
    db: DbOption = None,
) -> None:
    """Select wave N's participants within its quotas and issue their cards (once)."""
    from prakerja.config import get_settings
    from prakerja.kit.progress import RichReporter
    from prakerja.operations.timeline import advance_to
    from prakerja.registry.service import select_wave
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    engine = open_database(db)
    with RichReporter() as reporter, unit_of_work(engine) as session:
        advance_to(session, day=day)
        summary = select_wave(
            session, wave=wave, day=day, seed=get_settings().selection_seed, reporter=reporter
        )
    if summary.already_selected:
        say(f"wave {wave} was already selected on {summary.selected_on}; nothing changed")
    places = ", ".join(f"{pool}={count}" for pool, count in sorted(summary.places.items()))
    reasons = ", ".join(f"{reason}={count}" for reason, count in summary.reasons.items()) or "none"
    say(
        f"wave {wave}: applicants={summary.applicants} selected={summary.selected} "
        f"places [{places}] not selected [{reasons}]"
    )
