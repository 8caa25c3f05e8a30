"""Hardening (issue 11).

Revision ID: 0010_hardening
Revises: 0009_recovery
"""

revision = "0010_hardening"
down_revision = "0009_recovery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
