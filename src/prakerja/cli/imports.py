"""`prakerja import KIND FILE...`: load contract files of one kind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say
from prakerja.ingest.kinds import LOADERS, loader_for


def import_command(
    kind: Annotated[str, typer.Argument(help="What the files hold: " + ", ".join(LOADERS) + ".")],
    files: Annotated[list[Path], typer.Argument(help="One or more CSV or JSON Lines files.")],
    db: DbOption = None,
) -> None:
    """Load contract files; rejects go to FILE.rejects.csv, one summary line to stdout."""
    from prakerja.ingest.errors import FileUnusableError
    from prakerja.ingest.pipeline import import_files
    from prakerja.kit.progress import RichReporter

    loader = loader_for(kind)
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise FileUnusableError(f"no such file: {', '.join(missing)}")
    engine = open_database(db)
    with RichReporter() as reporter:
        summary = import_files(engine, loader, files, reporter)
    say(summary.line())
