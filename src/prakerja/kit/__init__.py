"""Domain-free helpers: money, time, identifiers, NIK parsing, errors. Imports nothing of ours."""
