"""Load contract files the same way for every kind: read, check, store, report.

A file is loaded in one transaction: either all of its accepted rows are
stored or, on a crash, none are; loading it again then gives the result of
one clean run, because every row is keyed by its natural key.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session

from prakerja.audit.service import start_import_run
from prakerja.ingest.checks import Field
from prakerja.ingest.errors import FilesUnusableError, FileUnusableError
from prakerja.ingest.reader import RawFile, read_file
from prakerja.ingest.rejects import write_rejects, write_warnings
from prakerja.ingest.storable import column_limits
from prakerja.ingest.validate import Validated, empty_rejects, first_of_each_key, validate
from prakerja.kit import files
from prakerja.kit.clock import utc_now
from prakerja.kit.progress import Reporter, SilentReporter
from prakerja.storage.db import refresh_grown_statistics, unit_of_work
from prakerja.storage.faults import fault_point


@dataclass(frozen=True)
class StoreOutcome:
    """What a loader's store step made of the valid rows it was given."""

    duplicates: int = 0
    pending: int = 0
    rejects: pa.Table = field(default_factory=empty_rejects)
    warnings: pa.Table = field(default_factory=empty_rejects)
    """Rows kept with a fault worth telling (by `_row`, column, reason)."""


@dataclass(frozen=True)
class ImportContext:
    """Facts about the import under way, for the loader's store step."""

    import_run_id: int
    path: Path
    reporter: Reporter
    raw: RawFile | None = None
    """The file as read (text values by `_row`), for loaders that keep rows as they came."""


@dataclass
class ImportSummary:
    """Counts of one import: every row of the file(s) is in exactly one of them."""

    loaded: int = 0
    duplicates: int = 0
    rejected: int = 0
    pending: int = 0

    def add(self, other: ImportSummary) -> None:
        """Add another file's counts to these."""
        self.loaded += other.loaded
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.pending += other.pending

    def line(self) -> str:
        """Return the contract's one summary line."""
        return (
            f"loaded={self.loaded} duplicates={self.duplicates} "
            f"rejected={self.rejected} pending={self.pending}"
        )


class Loader(ABC):
    """One contract file: its columns, its natural key and how its valid rows are stored."""

    kind: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    key: ClassVar[tuple[str, ...]]
    stored_in: ClassVar[tuple[Table, ...]] = ()
    """The tables the rows go to: a value one of their columns cannot hold is a reject."""

    def read(self, path: Path, required: Sequence[str], optional: Sequence[str]) -> RawFile:
        """Read a file of this kind as text columns (CSV or JSON Lines, unless overridden)."""
        return read_file(path, required, optional)

    @abstractmethod
    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Store valid, in-file-deduplicated rows; report duplicates, pending rows, rejects."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_files(
    engine: Engine,
    loader: Loader,
    paths: Sequence[Path],
    reporter: Reporter | None = None,
) -> ImportSummary:
    """Load each file in its own transaction and return the counts over all of them.

    Every file is tried: an unusable one does not stop the others. When any
    was unusable, `FilesUnusableError` names each, carrying the others' counts.
    """
    total = ImportSummary()
    unusable: list[str] = []
    for path in paths:
        try:
            total.add(import_file(engine, loader, path, reporter or SilentReporter()))
        except FileUnusableError as exc:
            if len(paths) == 1:
                raise
            unusable.append(exc.message)
        # The next file (and the next command) is planned on what the tables hold now.
        refresh_grown_statistics(engine, [table.name for table in loader.stored_in])
    if unusable:
        raise FilesUnusableError(unusable, total.line())
    return total


#: Called inside an import's transaction once its rows are stored: session, run id, counts.
OnLoaded = Callable[[Session, int, "ImportSummary"], None]


def import_file(
    engine: Engine,
    loader: Loader,
    path: Path,
    reporter: Reporter,
    *,
    acting_partner: str | None = None,
    on_loaded: OnLoaded | None = None,
) -> ImportSummary:
    """Load one file: read it, check it, store it in one transaction, write its rejects.

    `acting_partner` is the partner sending its own file over the API: a row
    naming another partner is a reject of its partner column (one more column
    rule), and the import run's actor is `partner:CODE`. `on_loaded` records
    what the caller needs in the import's own transaction.
    """
    if files.in_use(path):  # never opened: see kit.files on what that would cost
        raise FileUnusableError(f"{path} is the database in use; refusing to import it")
    required = [spec.name for spec in loader.fields if spec.required]
    optional = [spec.name for spec in loader.fields if not spec.required]
    raw = loader.read(path, required, optional)
    if raw.extra_columns:
        extra = raw.extra_columns
        shown = ", ".join(extra[:20]) + (f" and {len(extra) - 20} more" if len(extra) > 20 else "")
        reporter.note(f"{path.name}: extra column(s) ignored: {shown}")
    reporter.start(f"checking {path.name}", raw.num_rows)
    checked = validate(
        raw, loader.fields, column_limits(loader.stored_in), acting_partner=acting_partner
    )
    reporter.advance(raw.num_rows)
    unique_rows, repeats = first_of_each_key(checked.rows, loader.key)
    with unit_of_work(engine) as session:
        run = start_import_run(
            session,
            kind=loader.kind,
            file_name=str(path),
            file_sha256=_sha256(path),
            actor=f"partner:{acting_partner}" if acting_partner else None,
            rows=raw.num_rows + len(raw.shape_rejects),
        )
        outcome = loader.store(session, unique_rows, ImportContext(run.id, path, reporter, raw))
        summary = _summarise(raw, checked, unique_rows.num_rows, repeats, outcome)
        run.loaded, run.duplicates = summary.loaded, summary.duplicates
        run.rejected, run.pending = summary.rejected, summary.pending
        run.finished_at = utc_now()
        session.flush()
        if on_loaded is not None:
            on_loaded(session, run.id, summary)
        fault_point("import.before_commit")
    all_rejects = pa.concat_tables([checked.rejects, outcome.rejects])
    write_rejects(raw, all_rejects)
    warnings = pa.concat_tables([checked.warnings, outcome.warnings])
    warnings = warnings.filter(
        pc.invert(pc.is_in(warnings["_row"], value_set=outcome.rejects["_row"]))
    ).sort_by([("_row", "ascending")])
    if warnings.num_rows:
        _tell_warnings(raw, warnings, reporter)
    reporter.note(f"{path.name}: {summary.line()}")
    return summary


#: How many warnings are printed one by one; the rest are in FILE.warnings.csv.
SHOWN_WARNINGS = 10


def _tell_warnings(raw: RawFile, warnings: pa.Table, reporter: Reporter) -> None:
    """Print the first warnings by line and column; write them all beside the file."""
    written = write_warnings(raw, warnings)
    shown = warnings.slice(0, SHOWN_WARNINGS).to_pylist()
    for warning in shown:
        line = raw.lines[warning["_row"]]
        reporter.note(
            f"{raw.path.name}: line {line}, column {warning['column']}: "
            f"{warning['reason']} (row kept)"
        )
    reporter.note(
        f"{raw.path.name}: {warnings.num_rows} warning(s) on kept rows, all in {written.name}"
    )


def _summarise(
    raw: RawFile, checked: Validated, stored: int, repeats: int, outcome: StoreOutcome
) -> ImportSummary:
    rule_rejects = outcome.rejects.num_rows
    rejected = checked.rejects.num_rows + len(raw.shape_rejects) + rule_rejects
    loaded = stored - outcome.duplicates - outcome.pending - rule_rejects
    return ImportSummary(
        loaded=loaded,
        duplicates=repeats + outcome.duplicates,
        rejected=rejected,
        pending=outcome.pending,
    )
