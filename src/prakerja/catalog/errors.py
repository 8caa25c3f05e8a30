"""Refusals of the catalog's operations, each with the HTTP status it maps to."""

from __future__ import annotations

from prakerja.kit.errors import PrakerjaError


class UnreadableCredentialsError(PrakerjaError):
    """A provider's stored secret cannot be decrypted: it was issued under another secret key."""

    status_code = 401
