"""Plain names for the codes staff see: gap stages, break types, funnel steps (gettext ids)."""

from __future__ import annotations

STAGE_NAMES = {
    "PAID": "Paid",
    "HELD_INELIGIBLE": "Held by a barring list",
    "IN_FLIGHT": "In flight with a payment partner",
    "FAILED_AWAITING_ACCOUNT": "Failed, waiting for a new account",
    "AWAITING_REVIEW": "Waiting for their review",
    "NO_ACCOUNT": "No payout account",
    "DUE_NOT_INSTRUCTED": "Due, not yet instructed",
}

BREAK_NAMES = {
    "MISSING_RESULT": "No result from the payment partner",
    "FAILED_PAYMENT": "Payment failed",
    "AMOUNT_MISMATCH": "Paid a different amount",
    "ACCOUNT_MISMATCH": "Paid to another account",
    "DUPLICATE_PAYMENT": "Paid twice",
    "UNKNOWN_PAYMENT": "Payment we never instructed",
    "INELIGIBLE_PAYMENT": "Paid someone not eligible",
    "BATCH_TOTAL_MISMATCH": "Bank debit differs from the batch",
    "INVOICE_NOT_PAYABLE": "Invoice line not payable",
    "INVOICE_AMOUNT_MISMATCH": "Invoice amount differs from the price",
    "DUPLICATE_INVOICE": "Voucher invoiced twice",
}

FUNNEL_NAMES = {
    "applicants": "Applicants",
    "selected": "Selected",
    "purchased": "Bought a training",
    "completed": "Completed the first training",
    "paid": "Paid the first incentive",
}

AGE_NAMES = {
    "T+1": "up to 1 day",
    "T+3": "2-3 days",
    "T+7": "4-7 days",
    "T+30": "8-30 days",
    "older": "over 30 days",
}
