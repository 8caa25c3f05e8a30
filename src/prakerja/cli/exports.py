"""`prakerja export ...`: write the contract's outbound files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say, tell, writable_file

app = typer.Typer(
    help="Write outbound files: selection, cards, breaks, gap, statement (and the commands below).",
    no_args_is_help=True,
)

WaveOption = Annotated[int, typer.Option("--wave", help="The wave number.")]
OutOption = Annotated[Path, typer.Option("--out", help="File to write.")]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write an export for people: atomically, 0600, formula cells neutralised; count rows."""
    from prakerja.kit.files import write_csv as write_people_csv

    return write_people_csv(path, header, rows, notice=tell)


@app.command("selection")
def export_selection(wave: WaveOption, out: OutOption, db: DbOption = None) -> None:
    """Every registration of wave N with its outcome, reason and card number."""
    from prakerja.registry.service import selection_rows
    from prakerja.storage.db import unit_of_work

    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        rows = selection_rows(session, wave=wave)
    count = write_csv(
        out,
        ("nik", "wave", "outcome", "reason", "card_number"),
        ((r.nik, r.wave, r.outcome, r.reason, r.card_number) for r in rows),
    )
    say(f"wrote {count} rows to {out}")


@app.command("cards")
def export_cards(wave: WaveOption, out: OutOption, db: DbOption = None) -> None:
    """The cards of wave N with holder, issue day, purchase deadline and status."""
    from prakerja.registry.service import card_rows
    from prakerja.storage.db import unit_of_work

    writable_file(out)
    engine = open_database(db)
    with unit_of_work(engine) as session:
        rows = card_rows(session, wave=wave)
    count = write_csv(
        out,
        ("card_number", "nik", "full_name", "wave", "issued_on", "purchase_deadline", "status"),
        (
            (
                r.card_number,
                r.nik,
                r.full_name,
                r.wave,
                r.issued_on.isoformat(),
                r.purchase_deadline.isoformat(),
                r.status,
            )
            for r in rows
        ),
    )
    say(f"wrote {count} rows to {out}")
