"""Integrity signals and their first sighting (issue 14).

Revision ID: 0008_signals
Revises: 0007_partner_access
"""

revision = "0008_signals"
down_revision = "0007_partner_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
