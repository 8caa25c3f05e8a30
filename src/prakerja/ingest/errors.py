"""Errors of the ingest layer."""

from __future__ import annotations

from prakerja.kit.errors import InputError


class FileUnusableError(InputError):
    """A file that cannot be loaded at all: missing, unreadable, a required column absent."""
