"""`prakerja import KIND FILE...`: load contract files of one kind."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say
from prakerja.kit.errors import InputError

if TYPE_CHECKING:
    from prakerja.ingest.pipeline import Loader

#: Each contract file kind and the loader that takes it, imported only when used.
LOADERS: dict[str, str] = {
    "waves": "prakerja.registry.loaders:WavesLoader",
    "participants": "prakerja.registry.loaders:ParticipantsLoader",
    "exclusions": "prakerja.registry.loaders:ExclusionsLoader",
    "payout-accounts": "prakerja.payouts.loaders:PayoutAccountsLoader",
    "partner-results": "prakerja.payouts.loaders:PartnerResultsLoader",
    "bank-statement": "prakerja.payouts.loaders:BankStatementLoader",
    "survey-responses": "prakerja.surveys.loaders:SurveyResponsesLoader",
    "courses": "prakerja.catalog.loaders:CoursesLoader",
    "platform-events": "prakerja.transactions.loaders:PlatformEventsLoader",
    "platform-invoices": "prakerja.transactions.loaders:PlatformInvoicesLoader",
}


def loader_for(kind: str) -> Loader:
    """Return the loader of a file kind, or raise InputError listing the known kinds."""
    target = LOADERS.get(kind)
    if target is None:
        raise InputError(f"unknown kind {kind!r} (known: {', '.join(sorted(LOADERS))})")
    module_name, class_name = target.split(":")
    loader_class = getattr(importlib.import_module(module_name), class_name)
    loader: Loader = loader_class()
    return loader


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
