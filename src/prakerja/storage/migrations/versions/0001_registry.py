"""Foundation and registry: audit trail, ledger, waves, registrations, selection, cards.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_action"), "audit_events", ["action"], unique=False)
    op.create_index(
        op.f("ix_audit_events_occurred_at"), "audit_events", ["occurred_at"], unique=False
    )
    op.create_index(
        op.f("ix_audit_events_subject_id"), "audit_events", ["subject_id"], unique=False
    )
    op.create_table(
        "exclusions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("list_code", sa.String(length=30), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusions")),
        sa.UniqueConstraint(
            "nik", "list_code", "period", name=op.f("uq_exclusions_nik_list_code_period")
        ),
    )
    op.create_index("ix_exclusions_nik", "exclusions", ["nik"], unique=False)
    op.create_table(
        "import_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_index(
        op.f("ix_import_runs_file_sha256"), "import_runs", ["file_sha256"], unique=False
    )
    op.create_index(op.f("ix_import_runs_kind"), "import_runs", ["kind"], unique=False)
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("entry_kind", sa.String(length=40), nullable=False),
        sa.Column("debit_account", sa.String(length=80), nullable=False),
        sa.Column("credit_account", sa.String(length=80), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_idr > 0", name=op.f("ck_ledger_entries_positive_amount")),
        sa.CheckConstraint(
            "debit_account <> credit_account", name=op.f("ck_ledger_entries_two_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
    )
    op.create_index("ix_ledger_entries_credit", "ledger_entries", ["credit_account"], unique=False)
    op.create_index("ix_ledger_entries_debit", "ledger_entries", ["debit_account"], unique=False)
    op.create_table(
        "registrations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("kk_number", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        sa.Column("province_code", sa.String(length=20), nullable=True),
        sa.Column("regency_code", sa.String(length=20), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("education", sa.String(length=20), nullable=True),
        sa.Column("employment_status", sa.String(length=30), nullable=True),
        sa.Column("monthly_income_idr", sa.BigInteger(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("wave", "nik", name=op.f("uq_registrations_wave_nik")),
    )
    op.create_table(
        "waves",
        sa.Column("wave", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("selected_on", sa.Date(), nullable=True),
        sa.Column("selection_seed", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("wave", name=op.f("pk_waves")),
    )
    op.create_table(
        "cards",
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column(
            "registration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kk_number", sa.String(length=16), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("province_code", sa.String(length=20), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("purchase_deadline", sa.Date(), nullable=False),
        sa.Column("balance_expires_on", sa.Date(), nullable=False),
        sa.Column("initial_balance_idr", sa.BigInteger(), nullable=False),
        sa.Column("balance_idr", sa.BigInteger(), nullable=False),
        sa.Column("first_purchase_on", sa.Date(), nullable=True),
        sa.Column("balance_expired_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("quota_credited_wave", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('ACTIVE', 'REVOKED')", name=op.f("ck_cards_known_status")),
        sa.CheckConstraint(
            "balance_idr <= initial_balance_idr", name=op.f("ck_cards_balance_within_initial")
        ),
        sa.CheckConstraint("balance_idr >= 0", name=op.f("ck_cards_balance_not_negative")),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_cards_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("card_number", name=op.f("pk_cards")),
        sa.UniqueConstraint("nik", name=op.f("uq_cards_nik")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_cards_registration_id")),
    )
    op.create_index("ix_cards_kk_number", "cards", ["kk_number"], unique=False)
    op.create_index("ix_cards_wave", "cards", ["wave"], unique=False)
    op.create_table(
        "selection_results",
        sa.Column(
            "registration_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("card_number", sa.String(length=16), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_selection_results_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_selection_results")),
    )
    op.create_index("ix_selection_results_wave", "selection_results", ["wave"], unique=False)
    op.create_table(
        "wave_quotas",
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("added_places", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "added_places >= 0", name=op.f("ck_wave_quotas_added_places_not_negative")
        ),
        sa.CheckConstraint("quota >= 0", name=op.f("ck_wave_quotas_quota_not_negative")),
        sa.ForeignKeyConstraint(["wave"], ["waves.wave"], name=op.f("fk_wave_quotas_wave_waves")),
        sa.PrimaryKeyConstraint("wave", "province_code", name=op.f("pk_wave_quotas")),
    )


def downgrade() -> None:
    op.drop_table("wave_quotas")
    op.drop_table("selection_results")
    op.drop_table("cards")
    op.drop_table("waves")
    op.drop_table("registrations")
    op.drop_table("ledger_entries")
    op.drop_table("import_runs")
    op.drop_table("exclusions")
    op.drop_table("audit_events")
