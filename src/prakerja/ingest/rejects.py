"""Write `FILE.rejects.csv` (line, column, reason, then the row as it came) and warnings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa

from prakerja.ingest.reader import RawFile
from prakerja.ingest.validate import ROW
from prakerja.kit import files


def rejects_path(path: Path) -> Path:
    """Return where the rejects of a file are written: beside it, `FILE.rejects.csv`."""
    return path.with_name(path.name + ".rejects.csv")


def warnings_path(path: Path) -> Path:
    """Return where the warnings of a file are written: beside it, `FILE.warnings.csv`."""
    return path.with_name(path.name + ".warnings.csv")


def write_rejects(raw: RawFile, rejects: pa.Table) -> Path:
    """Write every reject of the file (shape and value rejects), ordered by line."""
    extra_shape = sorted(
        {name for reject in raw.shape_rejects for name in reject.values} - set(raw.header),
        key=lambda name: int(name.removeprefix("field_")) if name.startswith("field_") else 0,
    )
    header = ["line", "column", "reason", *raw.header, *extra_shape]
    rows: list[tuple[int, list[str]]] = []
    for reject in raw.shape_rejects:
        values = [reject.values.get(name, "") for name in (*raw.header, *extra_shape)]
        rows.append((reject.line, [str(reject.line), "", reject.reason, *values]))
    rows.extend(_value_rows(raw, rejects, len(extra_shape)))
    rows.sort(key=lambda item: item[0])
    target = rejects_path(raw.path)
    files.write_csv(target, header, (row for _line, row in rows), notice=None)
    return target


def write_warnings(raw: RawFile, warnings: pa.Table) -> Path:
    """Write the warnings of kept rows (line, column, reason, the row as it came)."""
    rows = sorted(_value_rows(raw, warnings, 0), key=lambda item: item[0])
    target = warnings_path(raw.path)
    header = ["line", "column", "reason", *raw.header]
    files.write_csv(target, header, (row for _line, row in rows), notice=None)
    return target


def _value_rows(raw: RawFile, faults: pa.Table, padding: int) -> list[tuple[int, list[str]]]:
    if not faults.num_rows:
        return []
    indices = faults[ROW].to_pylist()
    originals = raw.table.take(pa.array(indices, pa.int64()))
    columns = [originals.column(name).to_pylist() for name in raw.header]
    rows = []
    for position, (index, column, reason) in enumerate(
        zip(indices, faults["column"].to_pylist(), faults["reason"].to_pylist(), strict=True)
    ):
        line = raw.lines[index]
        values = ["" if col[position] is None else col[position] for col in columns]
        rows.append((line, [str(line), column or "", reason, *values, *([""] * padding)]))
    return rows


def append_late_rejects(path: Path, rows: list[tuple[int, str, str, dict[str, str]]]) -> Path:
    """Add rows refused after their file was loaded (pending rows whose prerequisite failed).

    Each row is `(line, column, reason, values as they came)`; they go to the
    end of the file's existing `FILE.rejects.csv` under its header (created
    when missing), so the partner finds every refusal of a file in one place.
    The file is rewritten whole, atomically.
    """
    target = rejects_path(path)
    existing = files.read_own_file(target)
    kept: list[list[str]] = []
    if existing:
        kept = list(csv.reader(io.StringIO(existing.decode("utf-8", errors="replace"))))
    header = kept[0] if kept else []
    if not header:
        names = list(dict.fromkeys(name for *_rest, values in rows for name in values))
        header = ["line", "column", "reason", *names]
    added = [
        [str(line), column, reason, *(values.get(name, "") for name in header[3:])]
        for line, column, reason, values in rows
    ]
    # Rows already in the file were neutralised when first written: keep them as they are.
    with files.output_file(target, notice=None) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(kept[1:])
        writer.writerows([files.people_cell(value) for value in row] for row in added)
    return target
