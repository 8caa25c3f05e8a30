"""Training marketplace: catalog, provider credentials, platform events, vouchers, invoices.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform_code", sa.String(length=40), nullable=False),
        sa.Column("invoice_no", sa.String(length=60), nullable=False),
        sa.Column("voucher_code", sa.String(length=40), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("invoiced_on", sa.Date(), nullable=False),
        sa.Column("payable", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint(
            "platform_code",
            "invoice_no",
            "voucher_code",
            name=op.f("uq_invoice_lines_platform_code_invoice_no_voucher_code"),
        ),
    )
    op.create_index(
        "ix_invoice_lines_voucher_code", "invoice_lines", ["voucher_code"], unique=False
    )
    op.create_table(
        "platform_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform_code", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("event_type", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("course_code", sa.String(length=40), nullable=True),
        sa.Column("voucher_code", sa.String(length=40), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("certificate_no", sa.String(length=80), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("review_text", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("state_reason", sa.String(length=200), nullable=True),
        sa.Column("state_column", sa.String(length=40), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.Column("raw_row", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('PENDING', 'APPLIED', 'REJECTED')",
            name=op.f("ck_platform_events_known_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_events")),
        sa.UniqueConstraint(
            "platform_code", "event_id", name=op.f("uq_platform_events_platform_code_event_id")
        ),
    )
    op.create_index(
        "ix_platform_events_pending",
        "platform_events",
        ["voucher_code"],
        unique=False,
        sqlite_where=sa.text("state = 'PENDING'"),
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.create_index(
        "ix_platform_events_refused_purchase",
        "platform_events",
        ["voucher_code"],
        unique=False,
        sqlite_where=sa.text("state = 'REJECTED' AND event_type = 'PURCHASE'"),
        postgresql_where=sa.text("state = 'REJECTED' AND event_type = 'PURCHASE'"),
    )
    op.create_table(
        "provider_credentials",
        sa.Column("client_code", sa.String(length=40), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_code", name=op.f("pk_provider_credentials")),
    )
    op.create_table(
        "providers",
        sa.Column("provider_code", sa.String(length=40), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("provider_code", name=op.f("pk_providers")),
    )
    op.create_table(
        "courses",
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("provider_code", sa.String(length=40), nullable=False),
        sa.Column("price_idr", sa.BigInteger(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("course_type", sa.String(length=12), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("is_bundle", sa.Boolean(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "course_type IN ('WEBINAR', 'SELF_PACED', 'OFFLINE')",
            name=op.f("ck_courses_known_course_type"),
        ),
        sa.CheckConstraint("price_idr > 0", name=op.f("ck_courses_positive_price")),
        sa.CheckConstraint("sessions >= 1", name=op.f("ck_courses_at_least_one_session")),
        sa.ForeignKeyConstraint(
            ["provider_code"],
            ["providers.provider_code"],
            name=op.f("fk_courses_provider_code_providers"),
        ),
        sa.PrimaryKeyConstraint("course_code", name=op.f("pk_courses")),
    )
    op.create_index(op.f("ix_courses_provider_code"), "courses", ["provider_code"], unique=False)
    op.create_table(
        "vouchers",
        sa.Column("voucher_code", sa.String(length=40), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.Column("platform_code", sa.String(length=40), nullable=False),
        sa.Column(
            "purchase_event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("purchased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("certificate_no", sa.String(length=80), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_on", sa.Date(), nullable=True),
        sa.CheckConstraint("amount_idr > 0", name=op.f("ck_vouchers_positive_amount")),
        sa.ForeignKeyConstraint(
            ["purchase_event_id"],
            ["platform_events.id"],
            name=op.f("fk_vouchers_purchase_event_id_platform_events"),
        ),
        sa.PrimaryKeyConstraint("voucher_code", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("purchase_event_id", name=op.f("uq_vouchers_purchase_event_id")),
    )
    op.create_index("ix_vouchers_card_number", "vouchers", ["card_number"], unique=False)
    op.create_table(
        "attendances",
        sa.Column("voucher_code", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_attendances_sequence_from_one")),
        sa.ForeignKeyConstraint(
            ["voucher_code"],
            ["vouchers.voucher_code"],
            name=op.f("fk_attendances_voucher_code_vouchers"),
        ),
        sa.PrimaryKeyConstraint("voucher_code", "sequence", "source", name=op.f("pk_attendances")),
    )
    op.create_table(
        "course_categories",
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_code"],
            ["courses.course_code"],
            name=op.f("fk_course_categories_course_code_courses"),
        ),
        sa.PrimaryKeyConstraint("course_code", "category", name=op.f("pk_course_categories")),
    )
    op.create_table(
        "course_platforms",
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.Column("platform_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_code"],
            ["courses.course_code"],
            name=op.f("fk_course_platforms_course_code_courses"),
        ),
        sa.PrimaryKeyConstraint("course_code", "platform_code", name=op.f("pk_course_platforms")),
    )


def downgrade() -> None:
    op.drop_table("course_platforms")
    op.drop_table("course_categories")
    op.drop_table("attendances")
    op.drop_index("ix_vouchers_card_number", table_name="vouchers")
    op.drop_table("vouchers")
    op.drop_index(op.f("ix_courses_provider_code"), table_name="courses")
    op.drop_table("courses")
    op.drop_table("providers")
    op.drop_table("provider_credentials")
    op.drop_index(
        "ix_platform_events_refused_purchase",
        table_name="platform_events",
        sqlite_where=sa.text("state = 'REJECTED' AND event_type = 'PURCHASE'"),
        postgresql_where=sa.text("state = 'REJECTED' AND event_type = 'PURCHASE'"),
    )
    op.drop_index(
        "ix_platform_events_pending",
        table_name="platform_events",
        sqlite_where=sa.text("state = 'PENDING'"),
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.drop_table("platform_events")
    op.drop_index("ix_invoice_lines_voucher_code", table_name="invoice_lines")
    op.drop_table("invoice_lines")
