"""The contract's break taxonomy, break states, resolutions and aging buckets."""

from __future__ import annotations

from enum import StrEnum


class BreakType(StrEnum):
    """The eleven kinds of reconciliation break (selisih), in the contract's order."""

    MISSING_RESULT = "MISSING_RESULT"
    """An instruction still has no partner result after the scheme's result SLA."""
    FAILED_PAYMENT = "FAILED_PAYMENT"
    """The latest attempt for an entitlement failed and no attempt succeeded."""
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    """A SUCCESS whose amount differs from the instruction."""
    ACCOUNT_MISMATCH = "ACCOUNT_MISMATCH"
    """A SUCCESS credited to another account than the instruction named."""
    DUPLICATE_PAYMENT = "DUPLICATE_PAYMENT"
    """A second (or later) SUCCESS for one entitlement."""
    UNKNOWN_PAYMENT = "UNKNOWN_PAYMENT"
    """A partner result for an instruction the program never issued to that partner."""
    INELIGIBLE_PAYMENT = "INELIGIBLE_PAYMENT"
    """A SUCCESS for a participant on a barring list of the scheme, or revoked, when paid."""
    BATCH_TOTAL_MISMATCH = "BATCH_TOTAL_MISMATCH"
    """A batch's escrow debit differs from its instructions, or is missing past the SLA."""
    INVOICE_NOT_PAYABLE = "INVOICE_NOT_PAYABLE"
    """An invoice line for a voucher never purchased, redeemed or attended, or refunded."""
    INVOICE_AMOUNT_MISMATCH = "INVOICE_AMOUNT_MISMATCH"
    """An invoice line whose amount differs from the purchase price."""
    DUPLICATE_INVOICE = "DUPLICATE_INVOICE"
    """A voucher invoiced again (the later invoice's line)."""


class BreakStatus(StrEnum):
    """Where a break stands."""

    OPEN = "OPEN"
    """The difference is unexplained."""
    RESOLVED = "RESOLVED"
    """The facts changed, or an operator resolved it with a written reason."""


class Resolution(StrEnum):
    """How a break was resolved."""

    AUTO = "AUTO"
    """A reconciliation run found the condition gone (a result arrived, a retry succeeded)."""
    OPERATOR = "OPERATOR"
    """An operator resolved it with a written reason."""


class RunMode(StrEnum):
    """How a reconciliation run came about."""

    DAILY = "DAILY"
    """The daily run: today's facts against the breaks kept so far."""
    REBUILD = "REBUILD"
    """A replay from scratch of every recorded run day."""


#: Aging buckets: the upper bound of each bucket, in days since the fact; beyond: `older`.
AGING_BUCKETS: tuple[tuple[str, int], ...] = (
    ("T+1", 1),
    ("T+3", 3),
    ("T+7", 7),
    ("T+30", 30),
)
OLDER_BUCKET = "older"
BUCKET_NAMES: tuple[str, ...] = (*(name for name, _ in AGING_BUCKETS), OLDER_BUCKET)
