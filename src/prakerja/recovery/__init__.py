"""Recovery of ineligible payments: a claim per INELIGIBLE_PAYMENT break, repaid into escrow.

A claim is opened by the reconciliation for the amount the payment
credited, due 60 days after the break was detected. Repayments are the
escrow bank statement's `CREDIT` lines from `REPAYMENT` quoting the claim
id (read through `payouts.service`); part-payments add up and an
over-payment is kept. The ledger books each claim as a receivable and moves
each repayment from it back to the program fund.
"""
