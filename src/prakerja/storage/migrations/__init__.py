"""Alembic migrations of the system of record, applied by `prakerja init`."""
