"""The program's double-entry ledger: every rupiah that moves, from where to where.

Each entry moves a positive amount from one account (credit) to another
(debit) in a single row, so every entry is balanced by construction and the
sum of all balances is zero at every moment. Entries are append-only and
carry an idempotency key, so a movement recorded twice is impossible.
"""
