"""Recovery claims and repayments, grievances, disputes (issue 16).

`recovery_claims`: one claim per INELIGIBLE_PAYMENT break (and per payment),
for the amount the payment credited, due 60 days after the break was
detected. Repayments are escrow statement lines; they need no table.

Revision ID: 0009_recovery
Revises: 0008_signals
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_recovery"
down_revision = "0008_signals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_claims",
        sa.Column("claim_id", sa.String(35), nullable=False),
        sa.Column("break_id", sa.String(24), nullable=False),
        sa.Column("partner_code", sa.String(40), nullable=False),
        sa.Column("partner_txn_id", sa.String(80), nullable=False),
        sa.Column("instruction_id", sa.String(60), nullable=False),
        sa.Column("card_number", sa.String(16), nullable=False),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_idr > 0", name=op.f("ck_recovery_claims_positive_amount")),
        sa.CheckConstraint("due_on > opened_on", name=op.f("ck_recovery_claims_due_after_opened")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_recovery_claims")),
        sa.UniqueConstraint("break_id", name=op.f("uq_recovery_claims_break_id")),
        sa.UniqueConstraint(
            "partner_code",
            "partner_txn_id",
            name=op.f("uq_recovery_claims_partner_code_partner_txn_id"),
        ),
    )
    op.create_index("ix_recovery_claims_card_number", "recovery_claims", ["card_number"])
    op.create_index("ix_recovery_claims_opened_on", "recovery_claims", ["opened_on"])


def downgrade() -> None:
    op.drop_index("ix_recovery_claims_opened_on", table_name="recovery_claims")
    op.drop_index("ix_recovery_claims_card_number", table_name="recovery_claims")
    op.drop_table("recovery_claims")
