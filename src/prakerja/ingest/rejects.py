"""Write `FILE.rejects.csv`: line, column, reason, then the row as it came."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from prakerja.ingest.reader import RawFile
from prakerja.ingest.validate import ROW


def rejects_path(path: Path) -> Path:
    """Return where the rejects of a file are written: beside it, `FILE.rejects.csv`."""
    return path.with_name(path.name + ".rejects.csv")


def write_rejects(raw: RawFile, rejects: pa.Table) -> Path:
    """Write every reject of the file (shape and value rejects), ordered by line."""
    target = rejects_path(raw.path)
    extra_shape = sorted(
        {name for reject in raw.shape_rejects for name in reject.values} - set(raw.header),
        key=lambda name: int(name.removeprefix("field_")) if name.startswith("field_") else 0,
    )
    header = ["line", "column", "reason", *raw.header, *extra_shape]
    rows: list[tuple[int, list[str]]] = []
    for reject in raw.shape_rejects:
        values = [reject.values.get(name, "") for name in (*raw.header, *extra_shape)]
        rows.append((reject.line, [str(reject.line), "", reject.reason, *values]))
    if rejects.num_rows:
        indices = rejects[ROW].to_pylist()
        originals = raw.table.take(pa.array(indices, pa.int64()))
        columns = [originals.column(name).to_pylist() for name in raw.header]
        for position, (index, column, reason) in enumerate(
            zip(indices, rejects["column"].to_pylist(), rejects["reason"].to_pylist(), strict=True)
        ):
            line = raw.lines[index]
            values = ["" if col[position] is None else col[position] for col in columns]
            rows.append(
                (line, [str(line), column or "", reason, *values, *([""] * len(extra_shape))])
            )
    rows.sort(key=lambda item: item[0])
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(row for _line, row in rows)
    return target


def append_late_rejects(path: Path, rows: list[tuple[int, str, str, dict[str, str]]]) -> Path:
    """Add rows refused after their file was loaded (pending rows whose prerequisite failed).

    Each row is `(line, column, reason, values as they came)`; they go to the
    end of the file's existing `FILE.rejects.csv` under its header (created
    when missing), so the partner finds every refusal of a file in one place.
    """
    target = rejects_path(path)
    header: list[str] = []
    if target.exists():
        with target.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    if not header:
        names = list(dict.fromkeys(name for *_rest, values in rows for name in values))
        header = ["line", "column", "reason", *names]
        with target.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow(header)
    with target.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for line, column, reason, values in rows:
            writer.writerow([str(line), column, reason, *(values.get(n, "") for n in header[3:])])
    return target
