"""`prakerja import KIND FILE...`: load contract files of one kind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say
from prakerja.ingest.kinds import LOADERS, loader_for


def import_help() -> str:
    """Return `prakerja import --help`'s text, naming every kind of file."""
    return (
        "Load contract files of one KIND: "
        + ", ".join(LOADERS)
        + ". Each file is tried; rejects go to FILE.rejects.csv, warnings on kept rows to "
        "FILE.warnings.csv, one summary line to stdout."
    )


def import_command(
    kind: Annotated[str, typer.Argument(help="What the files hold: " + ", ".join(LOADERS) + ".")],
    files: Annotated[list[Path], typer.Argument(help="One or more CSV or JSON Lines files.")],
    db: DbOption = None,
) -> None:
    """Load contract files; rejects go to FILE.rejects.csv, one summary line to stdout."""
    from prakerja.ingest.errors import FilesUnusableError
    from prakerja.ingest.pipeline import import_files
    from prakerja.kit.progress import RichReporter

    loader = loader_for(kind)
    engine = open_database(db)
    try:
        with RichReporter() as reporter:
            summary = import_files(engine, loader, files, reporter)
    except FilesUnusableError as unusable:
        say(unusable.summary)
        raise
    say(summary.line())
