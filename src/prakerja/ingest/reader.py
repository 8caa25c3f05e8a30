"""Read a contract file (CSV or JSON Lines) into an Arrow table of strings.

Every value stays text here, exactly as it came (the checks parse it), and
each record keeps its physical line number for `FILE.rejects.csv`: the
header is line 1 of a CSV file, the first record is line 1 of a JSON Lines
file. The fast path parses CSV with Arrow; a file whose records do not map
one-to-one onto lines (quoted newlines, blank lines, ragged rows) is read
again with the standard `csv` module, which knows each record's line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from prakerja.ingest.errors import FileUnusableError

JSON_SUFFIXES = (".jsonl", ".ndjson")
#: A blank line inside a file's bytes (LF or CRLF endings).
BLANK_LINE = re.compile(rb"\n\r?\n")
#: The longest field a record may hold; a longer one makes its row a reject (no column
#: of the contract comes near it, and the rejects file shows only its start).
FIELD_LIMIT = 100_000
#: The longest column name a header may hold before the file is refused as not a header.
NAME_LIMIT = 1_000
#: How much of an over-long field the rejects file repeats.
SHOWN_OF_LONG_FIELD = 200


@dataclass(frozen=True)
class ShapeReject:
    """A record the reader could not turn into a row (wrong field count, bad JSON)."""

    line: int
    reason: str
    values: dict[str, str]


@dataclass(frozen=True)
class Undecodable:
    """A physical line that is not UTF-8: its number, its bytes, the first bad byte (from 1)."""

    line: int
    content: bytes
    byte: int


@dataclass
class RawFile:
    """A file's records as text, with their line numbers and the header as given."""

    path: Path
    header: list[str]
    table: pa.Table
    lines: list[int]
    shape_rejects: list[ShapeReject] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        """Return how many well-shaped records the file holds."""
        return int(self.table.num_rows)


def is_json_lines(path: Path) -> bool:
    """Return True when the file name says JSON Lines."""
    return path.name.lower().endswith(JSON_SUFFIXES)


def read_file(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> RawFile:
    """Read a contract file, refusing it as a whole only when it cannot be used at all."""
    data, undecodable = _set_aside_undecodable_lines(_read_bytes(path))
    if is_json_lines(path):
        raw = _read_json_lines(path, data, [*required, *optional])
    else:
        if undecodable and undecodable[0].line == 1:
            raise FileUnusableError(f"{path}: the header row is not UTF-8")
        # Set-aside lines are blank now: like any blank line, the reader skips them.
        raw = _read_csv(path, data)
    _check_header(raw, required, optional)
    raw.shape_rejects.extend(_undecodable_rejects(raw, undecodable))
    raw.shape_rejects.sort(key=lambda reject: reject.line)
    return raw


def _set_aside_undecodable_lines(data: bytes) -> tuple[bytes, list[Undecodable]]:
    """Blank out each line that is not UTF-8 (numbering kept); return the rest and those lines.

    One stray byte (a name typed in another code page) makes its row a reject,
    and the rest of the file still loads.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return data, []
    lines = data.split(b"\n")
    undecodable: list[Undecodable] = []
    for index, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            undecodable.append(Undecodable(index + 1, line, exc.start + 1))
            lines[index] = b""
    return b"\n".join(lines), undecodable


def _undecodable_rejects(raw: RawFile, undecodable: list[Undecodable]) -> list[ShapeReject]:
    rejects = []
    for bad in undecodable:
        shown = bad.content.decode("utf-8", errors="replace").rstrip("\r")
        values: dict[str, str] = {}
        if not is_json_lines(raw.path):
            try:
                values = _ragged(raw.header, next(csv.reader([shown]), []))
            except csv.Error:  # a stray carriage return inside the line: keep no values
                values = {}
        reason = f"not UTF-8 (byte {bad.byte} of the line cannot be decoded)"
        rejects.append(ShapeReject(bad.line, reason, values))
    return rejects


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise FileUnusableError(f"{path}: no such file")
    if not path.is_file():
        raise FileUnusableError(f"{path}: not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileUnusableError(f"{path}: cannot be read ({exc.strerror})") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data


def _check_header(raw: RawFile, required: Sequence[str], optional: Sequence[str]) -> None:
    counts = Counter(raw.header)
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if duplicated:
        shown = ", ".join(duplicated[:20]) + (" ..." if len(duplicated) > 20 else "")
        raise FileUnusableError(f"{raw.path}: column(s) named twice: {shown}")
    missing = [name for name in required if name not in counts]
    if missing:
        raise FileUnusableError(f"{raw.path}: missing column(s): {', '.join(missing)}{_hint(raw)}")
    known = set(required) | set(optional)
    raw.extra_columns = [name for name in raw.header if name not in known]


def _hint(raw: RawFile) -> str:
    """Say why the columns may be missing when the header shows another separator."""
    if is_json_lines(raw.path) or len(raw.header) != 1:
        return ""
    for separator, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if separator in raw.header[0]:
            return (
                f" - the file seems to use {name} ({separator!r}) between columns, as a spreadsheet"
                " saves under some locales; the contract wants commas (',')"
            )
    return ""


def _check_names(path: Path, header: list[str]) -> None:
    longest = max((len(name) for name in header), default=0)
    if longest > NAME_LIMIT:
        raise FileUnusableError(
            f"{path}: the header row is not a list of column names: one is {longest:,} "
            f"characters long (at most {NAME_LIMIT:,})"
        )


def _read_csv(path: Path, data: bytes) -> RawFile:
    text_head = data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8")
    try:
        header_rows = list(_records([text_head.rstrip("\r")]))
    except csv.Error as unreadable:
        raise FileUnusableError(f"{path}: the header row cannot be read: {unreadable}") from None
    if not data.strip() or not header_rows or not any(header_rows[0]):
        raise FileUnusableError(f"{path}: empty file (no header row)")
    header = [name.strip() for name in header_rows[0]]
    _check_names(path, header)
    fast = _read_csv_fast(data, header)
    if fast is not None:
        table = fast.rename_columns(header)
        return RawFile(path, header, table, list(range(2, table.num_rows + 2)))
    return _read_csv_slow(path, data, header)


def _read_csv_fast(data: bytes, header: list[str]) -> pa.Table | None:
    """Parse with Arrow when every record is exactly one line; else return None.

    A file with blank lines (a trailing one from a spreadsheet, say) goes to the
    line-by-line reader, which skips them and keeps the others' line numbers:
    Arrow would make each an empty row.
    """
    if len(set(header)) != len(header) or BLANK_LINE.search(data):
        return None
    body_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != body_lines:
        return None
    if len(data) > FIELD_LIMIT and any(
        (pc.max(pc.utf8_length(column)).as_py() or 0) > FIELD_LIMIT for column in table.columns
    ):
        return None  # the line-by-line reader makes each such row a reject
    return table


def _records(lines: Iterable[str]) -> Any:
    """A CSV reader whose own field limit never refuses a file (long fields are checked here)."""
    if csv.field_size_limit() < sys.maxsize:
        csv.field_size_limit(sys.maxsize)
    return csv.reader(lines)


def _long_field(header: list[str], record: list[str]) -> ShapeReject | None:
    longest = max((len(value) for value in record), default=0)
    if longest <= FIELD_LIMIT:
        return None
    shown = [
        value if len(value) <= FIELD_LIMIT else value[:SHOWN_OF_LONG_FIELD] + "..."
        for value in record
    ]
    reason = f"a field is {longest:,} characters long (at most {FIELD_LIMIT:,})"
    return ShapeReject(0, reason, _ragged(header, shown))


def _read_csv_slow(path: Path, data: bytes, header: list[str]) -> RawFile:
    reader = _records(io.StringIO(data.decode("utf-8"), newline=""))
    next(reader)
    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []
    rejects: list[ShapeReject] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or record == [""]:
                continue
            too_long = _long_field(header, record)
            if too_long is not None:
                rejects.append(ShapeReject(line, too_long.reason, too_long.values))
                continue
            if len(record) != len(header):
                rejects.append(
                    ShapeReject(
                        line,
                        f"row has {len(record)} fields, the header has {len(header)}",
                        _ragged(header, record),
                    )
                )
                continue
            for column, value in zip(columns, record, strict=True):
                column.append(value)
            lines.append(line)
    except csv.Error as exc:
        raise FileUnusableError(f"{path}: line {reader.line_num}: {exc}") from exc
    table = pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)}
    )
    return RawFile(path, header, table, lines, rejects)


def _ragged(header: list[str], record: list[str]) -> dict[str, str]:
    values = dict(zip(header, record, strict=False))
    for index, value in enumerate(record[len(header) :], start=len(header) + 1):
        values[f"field_{index}"] = value
    return values


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _json_record(number: int, line: str) -> dict[str, str | None] | ShapeReject:
    """Parse one JSON Lines record; numbers stay as written (a 5,000-digit one included)."""
    try:
        parsed = json.loads(line, parse_int=str, parse_float=str, parse_constant=str)
        if not isinstance(parsed, dict):
            return ShapeReject(number, "not a JSON object", {})
        return {str(key): _json_text(value) for key, value in parsed.items()}
    except json.JSONDecodeError as exc:
        return ShapeReject(number, f"not valid JSON ({exc.msg})", {})
    except RecursionError:
        return ShapeReject(number, "not usable JSON (nested too deeply)", {})
    except ValueError as exc:
        return ShapeReject(number, f"not usable JSON ({exc})", {})


def _read_json_lines(path: Path, data: bytes, columns: Sequence[str]) -> RawFile:
    """Read JSON Lines; the columns are the records' keys (`columns` when there is no record).

    A file with no well-formed record (empty, or every line refused) lacks no
    column: it loads nothing and reports its refused lines.
    """
    records: list[dict[str, str | None]] = []
    lines: list[int] = []
    rejects: list[ShapeReject] = []
    header: list[str] = []
    seen: set[str] = set()
    # Records end at "\n" only: `str.splitlines` would also split at U+2028, U+0085, \x1c
    # and others, which JSON allows raw inside strings (a name, for instance).
    for number, line in enumerate(data.decode("utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        record = _json_record(number, line)
        if isinstance(record, ShapeReject):
            rejects.append(record)
            continue
        for key in record:
            if key not in seen:
                seen.add(key)
                header.append(key)
        records.append(record)
        lines.append(number)
    if not records:
        header = list(columns)
    table = pa.table(
        {name: pa.array([record.get(name) for record in records], pa.string()) for name in header}
    )
    return RawFile(path, header, table, lines, rejects)
