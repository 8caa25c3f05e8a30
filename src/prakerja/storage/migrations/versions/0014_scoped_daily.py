"""The scoped daily run (issue 15): a queue of changed keys filled by triggers, the gap by card.

`reconciliation_changes` is filled by triggers on every fact table the
reconciliation reads, in the fact's own transaction: one row per change and
per date of the fact that decides from which day it counts. A daily run
reads the rows due by its day, reconciles only the keys they name (and those
the day itself can change), and deletes exactly the rows it read.
`reconciliation_gap_cards` holds each completed participant's stage, so the
gap report is one GROUP BY. The runs record whether they were scoped.

Revision ID: 0014_scoped_daily
Revises: 0013_ledger_totals
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_scoped_daily"
down_revision = "0013_ledger_totals"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_QUEUE = "reconciliation_changes"
#: The day of an instant in Jakarta (UTC+7, no daylight saving), per dialect; {n} is the row.
_JAKARTA_DAY = {
    "sqlite": "date({n}.recorded_at, '+7 hours')",
    "postgresql": "CAST(({n}.recorded_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)",
}

#: Per fact table, the queue rows one written row makes: (keys: queue column -> row column,
#: the day it counts from (a column, "jakarta" for an instant's day, None: at once), condition).
_EMITS: dict[str, list[tuple[dict[str, str], str | None, str | None]]] = {
    "instructions": [
        ({"card_number": "card_number", "batch_id": "batch_id"}, "created_on", None),
        (
            {"card_number": "card_number", "batch_id": "batch_id"},
            "cancelled_on",
            "{n}.cancelled_on IS NOT NULL",
        ),
    ],
    "partner_results": [
        (
            {
                "partner_code": "partner_code",
                "instruction_id": "instruction_id",
                "partner_txn_id": "partner_txn_id",
            },
            "processed_on",
            None,
        )
    ],
    "payment_batches": [({"batch_id": "batch_id"}, "business_date", None)],
    "bank_statement_lines": [
        ({"batch_id": "batch_id"}, "statement_date", "{n}.batch_id IS NOT NULL")
    ],
    "payout_accounts": [({"card_number": "card_number"}, "linked_on", None)],
    "entitlements": [({"card_number": "card_number"}, "held_from", None)],
    "cards": [
        ({"card_number": "card_number"}, None, None),
        ({"card_number": "card_number"}, "revoked_on", "{n}.revoked_on IS NOT NULL"),
    ],
    "exclusions": [({"nik": "nik"}, "effective_from", None)],
    "vouchers": [
        ({"voucher_code": "voucher_code", "card_number": "card_number"}, None, None),
        *(
            (
                {"voucher_code": "voucher_code", "card_number": "card_number"},
                day,
                f"{{n}}.{day} IS NOT NULL",
            )
            for day in ("purchased_on", "completed_on", "reviewed_on", "refunded_on")
        ),
    ],
    "attendances": [
        ({"voucher_code": "voucher_code"}, None, None),
        ({"voucher_code": "voucher_code"}, "jakarta", None),
    ],
    "invoice_lines": [({"voucher_code": "voucher_code"}, "invoiced_on", None)],
    "courses": [({"course_code": "course_code"}, None, None)],
}


def _inserts(table: str, dialect: str, row: str) -> list[str]:
    """Return the INSERT ... SELECT statements that queue one written row's keys."""
    statements = []
    for keys, day, condition in _EMITS[table]:
        columns = [*keys, "on_day"]
        if day == "jakarta":
            on_day = _JAKARTA_DAY[dialect].format(n=row)
        else:
            on_day = f"{row}.{day}" if day else "NULL"
        values = [f"{row}.{source}" for source in keys.values()] + [on_day]
        where = f" WHERE {condition.format(n=row)}" if condition else ""
        source = "" if dialect == "sqlite" else " FROM new_rows AS n"
        statements.append(
            f"INSERT INTO {_QUEUE} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)}{source}{where};"
        )
    return statements


def _create_triggers(dialect: str) -> None:
    for table in _EMITS:
        if dialect == "sqlite":
            body = " ".join(_inserts(table, dialect, "NEW"))
            for event in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER rc_{table}_{event.lower()} AFTER {event} ON {table} "
                    f"FOR EACH ROW BEGIN {body} END"
                )
            continue
        body = " ".join(_inserts(table, dialect, "n"))
        op.execute(
            f"CREATE FUNCTION rc_{table}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$"
        )
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER rc_{table}_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION rc_{table}()"
            )


def upgrade() -> None:
    op.create_table(
        _QUEUE,
        sa.Column("id", _ID, nullable=False),
        sa.Column("on_day", sa.Date(), nullable=True),
        sa.Column("card_number", sa.String(length=16), nullable=True),
        sa.Column("batch_id", sa.String(length=60), nullable=True),
        sa.Column("voucher_code", sa.String(length=40), nullable=True),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("partner_code", sa.String(length=40), nullable=True),
        sa.Column("instruction_id", sa.String(length=60), nullable=True),
        sa.Column("partner_txn_id", sa.String(length=80), nullable=True),
        sa.Column("course_code", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_changes")),
    )
    op.create_index("ix_reconciliation_changes_on_day", _QUEUE, ["on_day"])
    op.create_table(
        "reconciliation_gap_cards",
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("amount_idr", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("card_number", name=op.f("pk_reconciliation_gap_cards")),
    )
    with op.batch_alter_table("reconciliation_runs") as batch:
        batch.add_column(sa.Column("scoped", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("cards_read", sa.Integer(), nullable=True))
    _create_triggers(op.get_bind().dialect.name)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in _EMITS:
        for event in ("insert", "update"):
            suffix = "" if dialect == "sqlite" else f" ON {table}"
            op.execute(f"DROP TRIGGER IF EXISTS rc_{table}_{event}{suffix}")
        if dialect != "sqlite":
            op.execute(f"DROP FUNCTION IF EXISTS rc_{table}()")
    with op.batch_alter_table("reconciliation_runs") as batch:
        batch.drop_column("cards_read")
        batch.drop_column("scoped")
    op.drop_table("reconciliation_gap_cards")
    op.drop_index("ix_reconciliation_changes_on_day", table_name=_QUEUE)
    op.drop_table(_QUEUE)
