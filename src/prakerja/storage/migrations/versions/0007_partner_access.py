"""Partner tokens and uploads, participants' one-time codes (issue 13).

Revision ID: 0007_partner_access
Revises: 0006_accounts
"""

revision = "0007_partner_access"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
