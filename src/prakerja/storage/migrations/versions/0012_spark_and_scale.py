"""Scale and the Spark engine (issue 15).

Revision ID: 0012_spark_and_scale
Revises: 0011_participants
"""

revision = "0012_spark_and_scale"
down_revision = "0011_participants"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
