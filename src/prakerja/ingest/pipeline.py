"""Load contract files the same way for every kind: read, check, store, report.

A file is loaded in one transaction: either all of its accepted rows are
stored or, on a crash, none are; loading it again then gives the result of
one clean run, because every row is keyed by its natural key.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from prakerja.audit.service import start_import_run
from prakerja.ingest.checks import Field
from prakerja.ingest.reader import RawFile, read_file
from prakerja.ingest.rejects import write_rejects
from prakerja.ingest.validate import Validated, empty_rejects, first_of_each_key, validate
from prakerja.kit.clock import utc_now
from prakerja.kit.progress import Reporter, SilentReporter
from prakerja.storage.db import unit_of_work
from prakerja.storage.faults import fault_point


@dataclass(frozen=True)
class StoreOutcome:
    """What a loader's store step made of the valid rows it was given."""

    duplicates: int = 0
    pending: int = 0
    rejects: pa.Table = field(default_factory=empty_rejects)


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
    """Load each file in its own transaction and return the counts over all of them."""
    total = ImportSummary()
    for path in paths:
        total.add(import_file(engine, loader, path, reporter or SilentReporter()))
    return total


def import_file(engine: Engine, loader: Loader, path: Path, reporter: Reporter) -> ImportSummary:
    """Load one file: read it, check it, store it in one transaction, write its rejects."""
    required = [spec.name for spec in loader.fields if spec.required]
    optional = [spec.name for spec in loader.fields if not spec.required]
    raw = loader.read(path, required, optional)
    if raw.extra_columns:
        reporter.note(f"{path.name}: extra column(s) ignored: {', '.join(raw.extra_columns)}")
    reporter.start(f"checking {path.name}", raw.num_rows)
    checked = validate(raw, loader.fields)
    reporter.advance(raw.num_rows)
    for column, count in checked.warnings.items():
        reporter.note(f"{path.name}: {count} row(s) with an unusable {column} (kept as empty)")
    unique_rows, repeats = first_of_each_key(checked.rows, loader.key)
    with unit_of_work(engine) as session:
        run = start_import_run(
            session,
            kind=loader.kind,
            file_name=str(path),
            file_sha256=_sha256(path),
            rows=raw.num_rows + len(raw.shape_rejects),
        )
        outcome = loader.store(session, unique_rows, ImportContext(run.id, path, reporter, raw))
        summary = _summarise(raw, checked, unique_rows.num_rows, repeats, outcome)
        run.loaded, run.duplicates = summary.loaded, summary.duplicates
        run.rejected, run.pending = summary.rejected, summary.pending
        run.finished_at = utc_now()
        session.flush()
        fault_point("import.before_commit")
    all_rejects = pa.concat_tables([checked.rejects, outcome.rejects])
    write_rejects(raw, all_rejects)
    reporter.note(f"{path.name}: {summary.line()}")
    return summary


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
