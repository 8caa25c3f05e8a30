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
