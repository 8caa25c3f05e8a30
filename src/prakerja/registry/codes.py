"""Codes the registry uses: employment statuses, education levels, selection reasons."""

from __future__ import annotations

from enum import StrEnum


class Employment(StrEnum):
    """Employment status declared at registration."""

    UNEMPLOYED = "UNEMPLOYED"
    """Looking for work."""
    LAID_OFF = "LAID_OFF"
    """Dismissed (PHK)."""
    FURLOUGHED = "FURLOUGHED"
    """Sent home without pay (dirumahkan)."""
    INFORMAL = "INFORMAL"
    """Informal worker."""
    EMPLOYED = "EMPLOYED"
    """Formally employed."""
    MICRO_BUSINESS = "MICRO_BUSINESS"
    """Runs a micro or small business."""


#: Workers whose work was hit go first in selection.
HIT_WORKERS = (Employment.UNEMPLOYED, Employment.LAID_OFF, Employment.FURLOUGHED)

EDUCATION_LEVELS = ("SD", "SMP", "SMA", "D3", "S1", "S2", "S3")


class Reason(StrEnum):
    """Why a registration was not selected, in the order the contract gives precedence."""

    INELIGIBLE_NIK = "INELIGIBLE_NIK"
    """The NIK's region or date is not real, or it disagrees with birth date or sex."""
    INELIGIBLE_AGE = "INELIGIBLE_AGE"
    """Outside the scheme's age limits on the selection date."""
    INELIGIBLE_FAMILY_LIMIT = "INELIGIBLE_FAMILY_LIMIT"
    """Two others of the same family card hold, held or are given cards."""
    INELIGIBLE_ALREADY_ACCEPTED = "INELIGIBLE_ALREADY_ACCEPTED"
    """The NIK was given a card before (revoked included)."""
    INELIGIBLE_INCOME = "INELIGIBLE_INCOME"
    """Declared income above the scheme's cap."""
    QUOTA_FULL = "QUOTA_FULL"
    """Eligible, but the quota was filled first."""


#: Prefix of the reason for a barring list: `INELIGIBLE_LIST_<LIST_CODE>`.
LIST_REASON_PREFIX = "INELIGIBLE_LIST_"
