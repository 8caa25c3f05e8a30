"""Participants' one-time codes and sessions, grievances (issues 13 and 16).

Revision ID: 0011_participants
Revises: 0010_hardening
"""

revision = "0011_participants"
down_revision = "0010_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
