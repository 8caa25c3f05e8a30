"""Partner access: API tokens (as hashes), uploads received over HTTP, disputes of breaks.

Revision ID: 0007_partner_access
Revises: 0006_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_partner_access"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "partner_tokens",
        sa.Column("partner_code", sa.String(length=40), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("kinds", sa.String(length=400), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("partner_code", name=op.f("pk_partner_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_partner_tokens_token_sha256")),
    )
    op.create_table(
        "partner_uploads",
        sa.Column("id", _ID, nullable=False),
        sa.Column("partner_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("stored_path", sa.String(length=1000), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("refused_reason", sa.String(length=500), nullable=True),
        sa.Column("loaded", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_uploads")),
    )
    op.create_index(
        "ix_partner_uploads_partner_code",
        "partner_uploads",
        ["partner_code", "received_at"],
        unique=False,
    )
    op.create_table(
        "break_disputes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("break_id", sa.String(length=24), nullable=False),
        sa.Column("partner_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("disputed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_disputes")),
    )
    op.create_index("ix_break_disputes_break_id", "break_disputes", ["break_id"], unique=False)
    # A partner reads the breaks naming it.
    op.create_index("ix_breaks_partner_code", "breaks", ["partner_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_breaks_partner_code", table_name="breaks")
    op.drop_index("ix_break_disputes_break_id", table_name="break_disputes")
    op.drop_table("break_disputes")
    op.drop_index("ix_partner_uploads_partner_code", table_name="partner_uploads")
    op.drop_table("partner_uploads")
    op.drop_table("partner_tokens")
