"""Recovery claims and repayments, grievances, disputes (issue 16).

Revision ID: 0009_recovery
Revises: 0008_signals
"""

revision = "0009_recovery"
down_revision = "0008_signals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
