"""Codes of the payout flow: payment partners, result statuses, failure codes."""

from __future__ import annotations

from enum import StrEnum


class Partner(StrEnum):
    """The payment partners that credit incentives to participants."""

    BNI = "BNI"
    """Bank Negara Indonesia (bank accounts)."""
    OVO = "OVO"
    """OVO e-wallet."""
    GOPAY = "GOPAY"
    """GoPay e-wallet."""
    LINKAJA = "LINKAJA"
    """LinkAja e-wallet."""
    DANA = "DANA"
    """DANA e-wallet."""


class ResultStatus(StrEnum):
    """What a partner says became of an instruction."""

    SUCCESS = "SUCCESS"
    """Credited to the account."""
    FAILED = "FAILED"
    """Not credited; the failure code says why."""


class FailureCode(StrEnum):
    """Why a partner could not credit an account."""

    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    """No such account."""
    ACCOUNT_NOT_VERIFIED = "ACCOUNT_NOT_VERIFIED"
    """An e-wallet whose holder has not completed identity verification (KYC)."""
    NAME_MISMATCH = "NAME_MISMATCH"
    """The beneficiary name differs from the account holder's."""
    ACCOUNT_DORMANT = "ACCOUNT_DORMANT"
    """A dormant or blocked account."""
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    """The account's balance or monthly limit would be exceeded."""
    OTHER = "OTHER"
    """Any other reason."""


class Direction(StrEnum):
    """Direction of a transfer on the escrow account."""

    DEBIT = "DEBIT"
    """Funds out (to a payment partner for one batch)."""
    CREDIT = "CREDIT"
    """Funds in (from the treasury, or a partner's refund of failed payments)."""


#: The counterparty code of a participant's repayment of a recovery claim (a CREDIT whose
#: `batch_id` is the claim id).
REPAYMENT = "REPAYMENT"


class IncentiveKind(StrEnum):
    """Kinds of incentive."""

    POST_TRAINING = "POST_TRAINING"
    """The monthly incentive after the first training (tranche 1..n)."""
    SURVEY = "SURVEY"
    """The incentive for answering a tracking survey (tranche = survey number)."""


class InstructionState(StrEnum):
    """Where an instruction stands, as the partner's results say."""

    OPEN = "OPEN"
    """Sent, no result yet."""
    SUCCEEDED = "SUCCEEDED"
    """The entitlement's payment: the one instruction whose SUCCESS the program counts."""
    FAILED = "FAILED"
    """A FAILED result arrived (a later SUCCESS may still pay it, see `settle`)."""
    CANCELLED = "CANCELLED"
    """Cancelled by an operator: the partner confirmed it was never executed."""
