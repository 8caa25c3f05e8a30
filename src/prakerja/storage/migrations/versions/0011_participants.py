"""Participants' one-time codes and sessions, grievances (issues 13 and 16).

Also indexes `breaks.card_number`, so that one participant's story finds the
breaks about their card by an index.

Revision ID: 0011_participants
Revises: 0010_hardening
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_participants"
down_revision = "0010_hardening"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_index("ix_breaks_card_number", "breaks", ["card_number"])
    op.create_table(
        "sign_in_codes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_sign_in_codes_attempts_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")),
        sa.UniqueConstraint("nik", "serial", name=op.f("uq_sign_in_codes_nik_serial")),
    )
    op.create_table(
        "participant_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_participant_sessions")),
    )
    op.create_index("ix_participant_sessions_nik", "participant_sessions", ["nik"])
    op.create_table(
        "grievances",
        sa.Column("grievance_id", sa.String(length=24), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=True),
        sa.Column("instruction_id", sa.String(length=60), nullable=True),
        sa.Column("instruction_key", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution_reason", sa.String(length=1000), nullable=True),
        sa.CheckConstraint(
            "category IN ('NOT_RECEIVED', 'WRONG_AMOUNT', 'OTHER')",
            name=op.f("ck_grievances_known_category"),
        ),
        sa.CheckConstraint(
            "status IN ('OPEN', 'RESOLVED')", name=op.f("ck_grievances_known_status")
        ),
        sa.CheckConstraint(
            "(status = 'OPEN') = (resolved_on IS NULL)",
            name=op.f("ck_grievances_resolved_exactly_when_dated"),
        ),
        sa.PrimaryKeyConstraint("grievance_id", name=op.f("pk_grievances")),
        sa.UniqueConstraint(
            "nik",
            "category",
            "instruction_key",
            "opened_on",
            name=op.f("uq_grievances_nik_category_instruction_key_opened_on"),
        ),
    )
    op.create_index("ix_grievances_instruction_id", "grievances", ["instruction_id"])
    op.create_index("ix_grievances_opened_on", "grievances", ["opened_on"])


def downgrade() -> None:
    op.drop_table("grievances")
    op.drop_table("participant_sessions")
    op.drop_table("sign_in_codes")
    op.drop_index("ix_breaks_card_number", table_name="breaks")
