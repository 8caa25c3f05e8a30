"""Names of ledger accounts: a kind, and for per-party accounts, the party."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    """The kinds of account the program's books hold."""

    PROGRAM_FUND = "PROGRAM_FUND"
    """The program's budget: what is not yet committed to anyone."""
    TRAINING_BALANCE = "TRAINING_BALANCE"
    """A card's training balance, per card."""
    PLATFORM_PAYABLE = "PLATFORM_PAYABLE"
    """Training fees owed to a digital platform, per platform."""
    INCENTIVE_PAYABLE = "INCENTIVE_PAYABLE"
    """Incentives owed to participants and not yet sent to a payment partner."""
    PARTNER_SETTLEMENT = "PARTNER_SETTLEMENT"
    """Incentives instructed to a payment partner and not yet confirmed, per partner."""
    PAID_OUT = "PAID_OUT"
    """Incentives confirmed credited to participants."""
    ESCROW = "ESCROW"
    """The program's escrow account at the bank."""
    INCENTIVE_RETURNED = "INCENTIVE_RETURNED"
    """Incentives whose latest instruction failed: back from the partner, awaiting a new account."""
    PARTNER_FUNDS = "PARTNER_FUNDS"
    """Escrow money sent to a counterparty (a payment partner's batches) and not refunded."""
    ESCROW_FUNDING = "ESCROW_FUNDING"
    """Money paid into the escrow account by a payer that is not a payment partner."""
    RECOVERY_RECEIVABLE = "RECOVERY_RECEIVABLE"
    """An ineligible payment owed back by its participant, per recovery claim (less repaid)."""
    RECOVERY_CLAIMED = "RECOVERY_CLAIMED"
    """Ineligible payments claimed back: the counterpart of the claims' receivables."""
    ESCROW_WRITTEN_OFF = "ESCROW_WRITTEN_OFF"
    """Escrow money the bank took beyond a batch (its fee), written off by finance, per partner."""


def account(kind: AccountKind, party: str | None = None) -> str:
    """Return an account name: `KIND` or `KIND:party`."""
    return f"{kind.value}:{party}" if party else kind.value
