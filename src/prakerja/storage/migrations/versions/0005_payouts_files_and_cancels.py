"""Payouts: when a batch's instruction file was written, and when a cancel happened.

`payment_batches.files_written_at` is set once a batch's rows are in their
instructions file (renamed into place), so that a re-run writes only the new
batches and those a killed run left unwritten. `instructions.cancelled_at` is
the wall-clock instant of an operator's cancel (null for older rows and for
instructions never cancelled), beside `cancelled_on`, the business day.

Revision ID: 0005_payouts_files_and_cancels
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_payouts_files_and_cancels"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "payment_batches", sa.Column("files_written_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "instructions", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # In place (SQLite 3.35+ too): a batch copy of payment_batches would trip the
    # foreign key from instructions.
    op.drop_column("instructions", "cancelled_at")
    op.drop_column("payment_batches", "files_written_at")
