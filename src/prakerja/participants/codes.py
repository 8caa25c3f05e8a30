"""The codes of the participants' door that others may name: grievance categories and states."""

from __future__ import annotations

from enum import StrEnum


class GrievanceCategory(StrEnum):
    """What a participant complains about."""

    NOT_RECEIVED = "NOT_RECEIVED"
    """An incentive the program says was paid never reached the account."""
    WRONG_AMOUNT = "WRONG_AMOUNT"
    """An incentive arrived with another amount."""
    OTHER = "OTHER"
    """Anything else, in the participant's words."""


class GrievanceStatus(StrEnum):
    """Where a grievance stands."""

    OPEN = "OPEN"
    """Filed, not yet answered by staff."""
    RESOLVED = "RESOLVED"
    """Resolved by staff with a written reason."""
