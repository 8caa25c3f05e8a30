"""The product's exception types; each carries the HTTP status it maps to."""

from __future__ import annotations


class PrakerjaError(Exception):
    """A failure the operator or partner can act on, with a one-line message."""

    status_code: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(PrakerjaError):
    """Input that cannot be used at all: a missing file, a malformed date, an unknown kind."""

    status_code = 422


class NotFoundError(PrakerjaError):
    """A named thing (wave, instruction, provider) that does not exist."""

    status_code = 404


class ConflictError(PrakerjaError):
    """An operation that contradicts the current state (cancel a paid instruction)."""

    status_code = 409


class ConfigurationError(PrakerjaError):
    """A broken configuration file, named with the field at fault."""

    status_code = 500


class UnauthenticatedError(PrakerjaError):
    """A request whose credentials are missing, stale or wrong."""

    status_code = 401
