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

OUTCOME_NAMES = {"SELECTED": "Selected", "NOT_SELECTED": "Not selected"}

REASON_NAMES = {
    "INELIGIBLE_NIK": "NIK not valid or does not match the birth date or gender",
    "INELIGIBLE_AGE": "Outside the age limits",
    "INELIGIBLE_FAMILY_LIMIT": "Two others of the same family card already hold cards",
    "INELIGIBLE_ALREADY_ACCEPTED": "Already given a card in an earlier wave",
    "INELIGIBLE_INCOME": "Income above the limit",
    "QUOTA_FULL": "Eligible, but the quota was filled first",
}
#: Reasons that name a barring list: INELIGIBLE_LIST_<CODE>.
LIST_REASON_PREFIX = "INELIGIBLE_LIST_"
LIST_REASON_NAME = "On a barring list (%(list)s)"

INCENTIVE_STATE_NAMES = {
    "DUE": "Due, not yet sent",
    "HELD": "Held",
    "SENT": "Sent, waiting for the partner",
    "PAID": "Paid",
    "FAILED": "Failed, needs a new account",
}

SURVEY_STATE_NAMES = {
    "UPCOMING": "Not open yet",
    "OPEN": "Open, not answered",
    "ANSWERED": "Answered",
    "MISSED": "Closed without an answer",
}

STEP_NAMES = {
    "LINK_ACCOUNT": "Link a bank or e-wallet account",
    "REVIEW_TRAINING": "Review the completed training",
    "RELINK_ACCOUNT": "Link a new account after a failed payment",
    "ANSWER_SURVEY": "Answer the open survey",
}

JOB_STATE_NAMES = {"RUNNING": "Running", "DONE": "Done", "FAILED": "Failed"}

RUN_MODE_NAMES = {"DAILY": "Daily", "REBUILD": "Rebuild"}

#: The name of a wave's national quota row (province code "*").
NATIONAL = "National"

#: What happened to a break, in its history.
BREAK_ACTION_NAMES = {
    "break.opened": "found by the reconciliation",
    "break.resolved": "resolved",
    "break.disputed": "disputed by the partner",
}

CARD_STATUS_NAMES = {"ACTIVE": "active", "REVOKED": "revoked"}

GRIEVANCE_NAMES = {
    "NOT_RECEIVED": "Incentive not received",
    "WRONG_AMOUNT": "Wrong amount received",
    "OTHER": "Other complaint",
}
