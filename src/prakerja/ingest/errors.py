"""Errors of the ingest layer."""

from __future__ import annotations

from prakerja.kit.errors import InputError


class FileUnusableError(InputError):
    """A file that cannot be loaded at all: missing, unreadable, a required column absent."""


class FilesUnusableError(FileUnusableError):
    """Some files of an import were unusable (each named); the others were loaded."""

    def __init__(self, reasons: list[str], summary: str) -> None:
        count = len(reasons)
        super().__init__(f"{count} file(s) unusable, the others loaded: " + "; ".join(reasons))
        self.reasons = reasons
        self.summary = summary
