"""`prakerja export ranking|outcomes|signals`: the program's statistics and integrity signals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prakerja.cli.common import DateOption, DbOption, open_database, parse_day, say, writable_file
from prakerja.cli.exports import write_csv

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

OutFile = Annotated[Path, typer.Option("--out", help="File to write.")]
MaybeDate = Annotated[
    str | None, typer.Option("--date", help="Business day, YYYY-MM-DD (default: all known).")
]
MaybeWave = Annotated[int | None, typer.Option("--wave", help="One wave (default: every wave).")]

RANKING_COLUMNS = ("rank", "category", "participants")
OUTCOME_COLUMNS = (
    "category",
    "survey_no",
    "respondents",
    "employed",
    "started_business",
    "skills_improved",
    "median_monthly_income_idr",
)
SIGNAL_COLUMNS = (
    "signal_id",
    "signal_type",
    "subject",
    "card_numbers",
    "first_seen_on",
    "evidence",
)


def _as_of(session: Session, date: str | None) -> dt.date | None:
    """Parse --date and apply what fell due by it; None when not given."""
    from prakerja.operations.timeline import advance_to

    if date is None:
        return None
    day = parse_day(date)
    advance_to(session, day=day)
    return day


def export_ranking(
    out: OutFile, wave: MaybeWave = None, date: MaybeDate = None, db: DbOption = None
) -> None:
    """The categories ranked by participants' first trainings (a bundle once, under BUNDLE)."""
    from prakerja.registry.service import get_wave
    from prakerja.statistics.service import ranking
    from prakerja.storage.db import unit_of_work

    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        if wave is not None:
            get_wave(session, wave=wave)
        rows = ranking(session, as_of=_as_of(session, date), wave=wave)
    count = write_csv(out, RANKING_COLUMNS, ((r.rank, r.category, r.participants) for r in rows))
    say(f"wrote {count} rows to {out}")


def export_outcomes(out: OutFile, date: MaybeDate = None, db: DbOption = None) -> None:
    """The tracking-survey results by category of the first training and survey number."""
    from prakerja.statistics.service import outcomes
    from prakerja.storage.db import unit_of_work

    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        rows = outcomes(session, as_of=_as_of(session, date))
    count = write_csv(
        out,
        OUTCOME_COLUMNS,
        (
            (
                r.category,
                r.survey_no,
                r.respondents,
                r.employed,
                r.started_business,
                r.skills_improved,
                r.median_monthly_income_idr,
            )
            for r in rows
        ),
    )
    say(f"wrote {count} rows to {out}")


def export_signals(date: DateOption, out: OutFile, db: DbOption = None) -> None:
    """The integrity signals holding on a day: leads for investigators, never breaks."""
    from prakerja.statistics.service import evaluate_signals
    from prakerja.storage.db import unit_of_work

    day = parse_day(date)
    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        _as_of(session, date)
        rows = evaluate_signals(session, day=day)
    count = write_csv(
        out,
        SIGNAL_COLUMNS,
        (
            (
                r.signal_id,
                r.signal_type,
                r.subject,
                ";".join(r.card_numbers),
                r.first_seen_on.isoformat(),
                r.evidence,
            )
            for r in rows
        ),
    )
    say(f"wrote {count} rows to {out}")


def register_exports(exports: typer.Typer) -> None:
    """Add the statistics' exports to `prakerja export`."""
    exports.command("ranking")(export_ranking)
    exports.command("outcomes")(export_outcomes)
    exports.command("signals")(export_signals)
