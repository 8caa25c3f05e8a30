"""The system of record: engines, sessions, the declarative base, bulk loads, migrations."""
