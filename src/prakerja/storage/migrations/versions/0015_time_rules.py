"""The day's time rules read only what changed (issue 15).

`post_training_next` holds each card's next post-training tranche date by
time alone and `time_rules_runs` the latest day evaluated (empty here, so
the first evaluation after this migration reads every card and fills it);
`time_rule_changes` keeps the card rows the daily reconciliation deletes
from its queue until the time rules read them. Two partial indexes let the
revocation of unused cards and the expiry of balances read only the cards
they can close.

Revision ID: 0015_time_rules
Revises: 0014_scoped_daily
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_time_rules"
down_revision = "0014_scoped_daily"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: Partial indexes on cards: name -> (column, predicate).
_CARD_INDEXES = {
    "ix_cards_unused_deadline": (
        "purchase_deadline",
        "status = 'ACTIVE' AND first_purchase_on IS NULL",
    ),
    "ix_cards_unexpired_balance": ("balance_expires_on", "balance_expired_on IS NULL"),
}


def upgrade() -> None:
    op.create_table(
        "post_training_next",
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("card_number", name=op.f("pk_post_training_next")),
    )
    op.create_index("ix_post_training_next_due_on", "post_training_next", ["next_due_on"])
    op.create_table(
        "time_rules_runs",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("schemes", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_rules_runs")),
    )
    op.create_table(
        "time_rule_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("on_day", sa.Date(), nullable=True),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_rule_changes")),
    )
    op.create_index("ix_time_rule_changes_on_day", "time_rule_changes", ["on_day"])
    for name, (column, predicate) in _CARD_INDEXES.items():
        where = sa.text(predicate)
        op.create_index(name, "cards", [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in _CARD_INDEXES:
        op.drop_index(name, table_name="cards")
    op.drop_index("ix_time_rule_changes_on_day", table_name="time_rule_changes")
    op.drop_table("time_rule_changes")
    op.drop_table("time_rules_runs")
    op.drop_index("ix_post_training_next_due_on", table_name="post_training_next")
    op.drop_table("post_training_next")
