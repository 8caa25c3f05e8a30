"""Daily reconciliation: instructions, partner results, the escrow bank and platform invoices.

The engine evaluates every break condition as SQL over whole tables in an
in-process DuckDB, fed with Arrow read from the system of record; the break
store keeps each difference under a stable id until the facts or an operator
resolve it; the gap report explains every completed participant not yet paid.
"""
