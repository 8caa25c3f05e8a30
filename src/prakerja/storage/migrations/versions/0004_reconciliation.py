"""Reconciliation: runs, breaks and operators' resolutions.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "break_resolutions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("break_id", sa.String(length=24), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_resolutions")),
    )
    op.create_index(
        "ix_break_resolutions_resolved_on", "break_resolutions", ["resolved_on"], unique=False
    )
    op.create_table(
        "breaks",
        sa.Column("break_id", sa.String(length=24), nullable=False),
        sa.Column("break_type", sa.String(length=30), nullable=False),
        sa.Column("break_key", sa.String(length=200), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=40), nullable=True),
        sa.Column("batch_id", sa.String(length=60), nullable=True),
        sa.Column("instruction_id", sa.String(length=60), nullable=True),
        sa.Column("partner_txn_id", sa.String(length=80), nullable=True),
        sa.Column("voucher_code", sa.String(length=40), nullable=True),
        sa.Column("card_number", sa.String(length=16), nullable=True),
        sa.Column("incentive_kind", sa.String(length=20), nullable=True),
        sa.Column("tranche", sa.Integer(), nullable=True),
        sa.Column("expected_amount_idr", sa.BigInteger(), nullable=True),
        sa.Column("reported_amount_idr", sa.BigInteger(), nullable=True),
        sa.Column("wave", sa.Integer(), nullable=True),
        sa.Column("fact_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution_note", sa.String(length=1000), nullable=True),
        sa.Column("still_holds", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(status = 'OPEN') = (resolved_on IS NULL)",
            name=op.f("ck_breaks_resolved_exactly_when_dated"),
        ),
        sa.CheckConstraint("status IN ('OPEN', 'RESOLVED')", name=op.f("ck_breaks_known_status")),
        sa.PrimaryKeyConstraint("break_id", name=op.f("pk_breaks")),
        sa.UniqueConstraint(
            "break_type",
            "break_key",
            "occurrence",
            name=op.f("uq_breaks_break_type_break_key_occurrence"),
        ),
    )
    op.create_index("ix_breaks_detected_on", "breaks", ["detected_on"], unique=False)
    op.create_index("ix_breaks_status", "breaks", ["status"], unique=False)
    op.create_index(
        "uq_breaks_one_open_per_condition",
        "breaks",
        ["break_type", "break_key"],
        unique=True,
        sqlite_where=sa.text("status = 'OPEN'"),
        postgresql_where=sa.text("status = 'OPEN'"),
    )
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("open_after", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
    )
    op.create_index(
        "ix_reconciliation_runs_business_date",
        "reconciliation_runs",
        ["business_date"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_runs_business_date", table_name="reconciliation_runs")
    op.drop_table("reconciliation_runs")
    op.drop_index("uq_breaks_one_open_per_condition", table_name="breaks")
    op.drop_index("ix_breaks_status", table_name="breaks")
    op.drop_index("ix_breaks_detected_on", table_name="breaks")
    op.drop_table("breaks")
    op.drop_index("ix_break_resolutions_resolved_on", table_name="break_resolutions")
    op.drop_table("break_resolutions")
