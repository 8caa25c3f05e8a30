"""Integrity signals and their first sighting (issue 14).

Revision ID: 0008_signals
Revises: 0007_partner_access
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_signals"
down_revision = "0007_partner_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_sightings",
        sa.Column("signal_id", sa.String(length=24), nullable=False),
        sa.Column("signal_type", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("signal_id", name=op.f("pk_signal_sightings")),
    )
    op.create_index(
        "ix_signal_sightings_first_seen_on", "signal_sightings", ["first_seen_on"], unique=False
    )
    op.create_table(
        "signal_evaluations",
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("evaluated_on", name=op.f("pk_signal_evaluations")),
    )


def downgrade() -> None:
    op.drop_table("signal_evaluations")
    op.drop_index("ix_signal_sightings_first_seen_on", table_name="signal_sightings")
    op.drop_table("signal_sightings")
