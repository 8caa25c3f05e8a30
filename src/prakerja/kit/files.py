"""Every file the product creates is written here: privately, atomically, never through a link.

A file is written to a temporary file in the same folder (created 0600 by
`mkstemp`, whatever the umask), flushed to disk, then renamed over the
target in one step: a reader never sees half a file, a crash leaves the
old one whole, and a symbolic link planted at the target is replaced
itself - its target is never written. A database in use, or any SQLite
database, is never overwritten. Replacing an existing file is said.

The database in use is never opened by anything but SQLite, not even to
read its first bytes: closing any other descriptor of the file drops every
POSIX lock the process holds on it, and another process closing its last
connection would then delete the write-ahead log under this one's feet
(SQLite's "how to corrupt": disk I/O errors, commits lost). It is known by
its path and by its identity on disk, so a hard link or a second mount of
it is the database in use too.

CSV files meant for people to open in a spreadsheet go through
`people_cell`, which neutralises cells a spreadsheet would run as a
formula (OWASP's advice); numbers such as `-13000` stay numbers.
"""

from __future__ import annotations

import csv
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from prakerja.kit.errors import InputError

_IN_USE: set[Path] = set()
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")

Notice = Callable[[str], None]


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def protect(path: Path) -> None:
    """Mark a database file (and its journal files) as ones no output may replace."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        _IN_USE.add(path.with_name(path.name + suffix).resolve())


def _identity(path: Path) -> tuple[int, int] | None:
    """Return the file's (device, inode) without opening it, or None when there is none."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def in_use(path: Path) -> bool:
    """Return True when `path` is the database in use or one of its journals (never opened)."""
    if path.resolve() in _IN_USE or path.absolute() in _IN_USE:
        return True
    identity = _identity(path)
    return identity is not None and any(_identity(protected) == identity for protected in _IN_USE)


def _check_target(path: Path) -> bool:
    """Refuse a target that must not be replaced; return True when one exists (link included)."""
    if path.is_dir() and not path.is_symlink():
        raise InputError(f"{path} is a folder; give a file name")
    if in_use(path):
        raise InputError(f"{path} is the database in use; refusing to overwrite it")
    if path.is_file() and not path.is_symlink():
        with path.open("rb") as handle:
            if handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                raise InputError(f"{path} is a database; refusing to overwrite it")
    return path.exists() or path.is_symlink()


@contextmanager
def output_file(
    path: Path, *, binary: bool = False, notice: Notice | None = _stderr
) -> Iterator[IO[Any]]:
    """Open a new file that replaces `path` atomically when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = _check_target(path)
    was_link = path.is_symlink()
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        if binary:
            handle: IO[Any] = os.fdopen(descriptor, "wb")
        else:
            handle = os.fdopen(descriptor, "w", newline="", encoding="utf-8")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if was_link:
        (notice or _stderr)(f"replaced the symbolic link {path} (the file it named is untouched)")
    elif existed and notice is not None:
        notice(f"replaced the existing file {path}")


def write_bytes(path: Path, data: bytes, *, notice: Notice | None = _stderr) -> Path:
    """Write `data` as the whole of `path` (atomically, 0600)."""
    with output_file(path, binary=True, notice=notice) as handle:
        handle.write(data)
    return path


def people_cell(value: object) -> str:
    """Return a cell as text a spreadsheet shows and never runs as a formula.

    Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
    leading `'`; a number (`-13000`, `+62`) is left as it is.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    for_people: bool = True,
    notice: Notice | None = _stderr,
) -> int:
    """Write a CSV file with a header; return how many rows were written.

    `for_people` neutralises formula cells; machine contract files (partner
    instructions) pass False and keep every value exactly.
    """
    count = 0
    with output_file(path, notice=notice) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            if for_people:
                writer.writerow([people_cell(value) for value in row])
            else:
                writer.writerow(["" if value is None else value for value in row])
            count += 1
    return count


def read_own_file(path: Path) -> bytes | None:
    """Read a file the product wrote earlier, never through a symbolic link (None: absent)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except (FileNotFoundError, OSError):
        return None
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()
