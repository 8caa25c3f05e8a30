"""Incentives and payouts: accounts, entitlements, batches, instructions, results, surveys.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statement_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bank_ref", sa.String(length=80), nullable=False),
        sa.Column("statement_date", sa.Date(), nullable=False),
        sa.Column("counterparty_code", sa.String(length=20), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("batch_id", sa.String(length=35), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "direction IN ('DEBIT', 'CREDIT')", name=op.f("ck_bank_statement_lines_known_direction")
        ),
        sa.CheckConstraint("amount_idr > 0", name=op.f("ck_bank_statement_lines_positive_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement_lines")),
        sa.UniqueConstraint("bank_ref", name=op.f("uq_bank_statement_lines_bank_ref")),
    )
    op.create_index(
        "ix_bank_statement_lines_batch_id", "bank_statement_lines", ["batch_id"], unique=False
    )
    op.create_table(
        "entitlements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("tranche", sa.Integer(), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("held_from", sa.Date(), nullable=True),
        sa.Column("held_reason", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('POST_TRAINING', 'SURVEY')", name=op.f("ck_entitlements_known_kind")
        ),
        sa.CheckConstraint("amount_idr > 0", name=op.f("ck_entitlements_positive_amount")),
        sa.CheckConstraint("tranche >= 1", name=op.f("ck_entitlements_tranche_from_one")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlements")),
        sa.UniqueConstraint(
            "card_number", "kind", "tranche", name=op.f("uq_entitlements_card_number_kind_tranche")
        ),
    )
    op.create_index("ix_entitlements_due_on", "entitlements", ["due_on"], unique=False)
    op.create_table(
        "partner_results",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("instruction_id", sa.String(length=60), nullable=False),
        sa.Column("partner_txn_id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.String(length=60), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("failure_code", sa.String(length=30), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_on", sa.Date(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('SUCCESS', 'FAILED')", name=op.f("ck_partner_results_known_status")
        ),
        sa.CheckConstraint("amount_idr >= 0", name=op.f("ck_partner_results_amount_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_results")),
        sa.UniqueConstraint(
            "partner_code",
            "partner_txn_id",
            name=op.f("uq_partner_results_partner_code_partner_txn_id"),
        ),
    )
    op.create_index(
        "ix_partner_results_import_run_id", "partner_results", ["import_run_id"], unique=False
    )
    op.create_index(
        "ix_partner_results_instruction_id", "partner_results", ["instruction_id"], unique=False
    )
    op.create_table(
        "payment_batches",
        sa.Column("batch_id", sa.String(length=35), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("run_number", sa.Integer(), nullable=False),
        sa.Column("instruction_count", sa.Integer(), nullable=False),
        sa.Column("total_amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(batch_id) <= 35", name=op.f("ck_payment_batches_batch_id_fits_end_to_end_id")
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_payment_batches")),
        sa.UniqueConstraint(
            "partner_code",
            "business_date",
            "run_number",
            name=op.f("uq_payment_batches_partner_code_business_date_run_number"),
        ),
    )
    op.create_table(
        "payout_accounts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=60), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linked_on", sa.Date(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_accounts")),
        sa.UniqueConstraint(
            "card_number",
            "linked_at",
            "partner_code",
            "account_id",
            name=op.f("uq_payout_accounts_card_number_linked_at_partner_code_account_id"),
        ),
    )
    op.create_index(
        "ix_payout_accounts_card_number", "payout_accounts", ["card_number"], unique=False
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("survey_no", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("employment_status", sa.String(length=30), nullable=True),
        sa.Column("started_business", sa.Boolean(), nullable=True),
        sa.Column("business_type", sa.String(length=200), nullable=True),
        sa.Column("monthly_income_idr", sa.BigInteger(), nullable=True),
        sa.Column("skills_improved", sa.Boolean(), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "card_number", "survey_no", name=op.f("uq_survey_responses_card_number_survey_no")
        ),
    )
    op.create_table(
        "instructions",
        sa.Column("instruction_id", sa.String(length=60), nullable=False),
        sa.Column("batch_id", sa.String(length=35), nullable=False),
        sa.Column(
            "entitlement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("tranche", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=60), nullable=False),
        sa.Column("beneficiary_name", sa.String(length=200), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_by", sa.String(length=100), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_txn_id", sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "state <> 'CANCELLED' OR cancelled_on IS NOT NULL",
            name=op.f("ck_instructions_cancelled_has_a_day"),
        ),
        sa.CheckConstraint(
            "state IN ('OPEN', 'SUCCEEDED', 'FAILED', 'CANCELLED')",
            name=op.f("ck_instructions_known_state"),
        ),
        sa.CheckConstraint("amount_idr > 0", name=op.f("ck_instructions_positive_amount")),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_instructions_attempt_from_one")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["payment_batches.batch_id"],
            name=op.f("fk_instructions_batch_id_payment_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlements.id"],
            name=op.f("fk_instructions_entitlement_id_entitlements"),
        ),
        sa.PrimaryKeyConstraint("instruction_id", name=op.f("pk_instructions")),
        sa.UniqueConstraint(
            "entitlement_id", "attempt", name=op.f("uq_instructions_entitlement_id_attempt")
        ),
    )
    op.create_index("ix_instructions_batch_id", "instructions", ["batch_id"], unique=False)
    op.create_index("ix_instructions_card_number", "instructions", ["card_number"], unique=False)
    op.create_index("ix_instructions_created_on", "instructions", ["created_on"], unique=False)
    op.create_index(
        "uq_instructions_one_live_per_entitlement",
        "instructions",
        ["entitlement_id"],
        unique=True,
        sqlite_where=sa.text("state IN ('OPEN', 'SUCCEEDED')"),
        postgresql_where=sa.text("state IN ('OPEN', 'SUCCEEDED')"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_instructions_one_live_per_entitlement",
        table_name="instructions",
        sqlite_where=sa.text("state IN ('OPEN', 'SUCCEEDED')"),
        postgresql_where=sa.text("state IN ('OPEN', 'SUCCEEDED')"),
    )
    op.drop_index("ix_instructions_created_on", table_name="instructions")
    op.drop_index("ix_instructions_card_number", table_name="instructions")
    op.drop_index("ix_instructions_batch_id", table_name="instructions")
    op.drop_table("instructions")
    op.drop_table("survey_responses")
    op.drop_index("ix_payout_accounts_card_number", table_name="payout_accounts")
    op.drop_table("payout_accounts")
    op.drop_table("payment_batches")
    op.drop_index("ix_partner_results_instruction_id", table_name="partner_results")
    op.drop_index("ix_partner_results_import_run_id", table_name="partner_results")
    op.drop_table("partner_results")
    op.drop_index("ix_entitlements_due_on", table_name="entitlements")
    op.drop_table("entitlements")
    op.drop_index("ix_bank_statement_lines_batch_id", table_name="bank_statement_lines")
    op.drop_table("bank_statement_lines")
