"""Daily ledger totals per program-level account, kept by triggers (issue 15).

`ledger_day_totals` holds what each account (each per-party kind summed into
one bucket) was debited and credited per effective day; triggers on
`ledger_entries` keep it in the entries' own transactions, and the existing
entries are summed into it here. The rule and the triggers' SQL come from
`prakerja.ledger.totals`; changing its per-party kinds needs a migration that
drops and re-creates the triggers and rebuilds the totals.

Revision ID: 0013_ledger_totals
Revises: 0012_spark_and_scale
"""

import sqlalchemy as sa
from alembic import op

from prakerja.ledger.totals import create_triggers, drop_triggers, rebuild

revision = "0013_ledger_totals"
down_revision = "0012_spark_and_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_day_totals",
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("debit_idr", sa.BigInteger(), nullable=False),
        sa.Column("credit_idr", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account", "effective_on", name=op.f("pk_ledger_day_totals")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("LOCK TABLE ledger_entries IN SHARE ROW EXCLUSIVE MODE")
    for statement in create_triggers(dialect) + rebuild():
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("ledger_day_totals")
