"""The audit trail: who did what, when, to which record; and every file imported."""
