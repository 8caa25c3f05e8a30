"""Refusals of the redeem-code API, each with the HTTP status it maps to."""

from __future__ import annotations

from prakerja.kit.errors import ConflictError, InputError, NotFoundError, PrakerjaError


class UnknownRedeemCodeError(NotFoundError):
    """A code never purchased, or whose purchase the program refused."""


class OtherProvidersCodeError(PrakerjaError):
    """A code for a course of another training provider."""

    status_code = 403


class RefundedCodeError(ConflictError):
    """A code whose purchase was refunded."""


class NotRedeemedError(ConflictError):
    """A later session committed before the code was redeemed (sequence 1)."""


class SequenceOutOfRangeError(InputError):
    """A session number beyond the course's sessions."""
