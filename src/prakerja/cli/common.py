"""What every command shares: the --db option, dates, opening the database, output."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: PRAKERJA_DATABASE_URL, else prakerja.db here).",
        show_default=False,
    ),
]
DateOption = Annotated[str, typer.Option("--date", help="Business day, YYYY-MM-DD.")]


def parse_day(text: str) -> dt.date:
    """Parse the --date option strictly (YYYY-MM-DD) or fail with a one-line reason."""
    from prakerja.kit.clock import parse_date

    return parse_date(text)


_ENGINES: dict[str | None, Engine] = {}


class _CommandLine:
    """What `prakerja --db URL COMMAND` chose for every command (None: not given)."""

    database: str | None = None


def use_database(url: str | None) -> None:
    """Make `url` the database of every command not given a --db of its own."""
    _CommandLine.database = url


def chosen_database(url: str | None) -> str | None:
    """The command's own --db, else the one given before the command, else None (settings)."""
    return url or _CommandLine.database


def open_database(url: str | None) -> Engine:
    """Open the database (one engine per URL per process), creating or migrating its schema."""
    from prakerja.storage.db import make_engine
    from prakerja.storage.migrate import ensure_current

    url = chosen_database(url)
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = make_engine(url)
    ensure_current(engine)
    return engine


def writable_file(path: Path) -> Path:
    """Check that --out can be written as a file (its folders created if need be), or fail."""
    if path.is_dir():
        _refuse_out(path, "is a folder; give a file name")
    _writable_folder(path.parent, path)
    return path


def writable_folder(path: Path) -> Path:
    """Check that --out can hold files as a folder (created if need be), or fail."""
    if path.exists() and not path.is_dir():
        _refuse_out(path, "is a file, not a folder")
    _writable_folder(path, path)
    return path


def _writable_folder(folder: Path, named: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        _refuse_out(named, f"cannot be written: {exc.strerror or type(exc).__name__}")


def _refuse_out(path: Path, why: str) -> NoReturn:
    from prakerja.kit.errors import InputError

    raise InputError(f"--out {path} {why}")


def say(message: str) -> None:
    """Print a line of the command's result on standard output."""
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def tell(message: str) -> None:
    """Print a note for the operator on standard error."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
