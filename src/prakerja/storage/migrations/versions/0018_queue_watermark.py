"""The queue of changed keys drops a fact's dated rows that every reader would take at once.

0014 queues a written card, voucher or attendance once at once (no day)
and once under each of its dates, so that a date still ahead brings the
keys back on its day. A date at or before the latest day both readers have
reached - the daily reconciliation (`reconciliation_runs`, which never goes
back) and the day's time rules (`time_rules_runs`) - is due for every run
either will make, exactly as the row without a day is: the dated row named
the same keys a second time. A busy day queued four rows per voucher where
one does; a reconciled day hands over about a quarter fewer rows. Before
either reader has run, every row is queued as before.

On PostgreSQL the two queues are vacuumed after every 50,000 rows deleted
rather than after a fifth of the table: a queue is emptied every day and
holds no live rows between runs, so by default autovacuum would leave a
busy day's deleted rows for each next run to read past.

Revision ID: 0018_queue_watermark
Revises: 0017_holder_registrations
"""

from alembic import op

revision = "0018_queue_watermark"
down_revision = "0017_holder_registrations"
branch_labels = None
depends_on = None

_QUEUE = "reconciliation_changes"
#: The latest day both readers have reached; NULL until both have run once.
_REACHED = (
    "(SELECT CASE WHEN count(w.day) = 2 THEN min(w.day) END FROM ("
    "SELECT max(business_date) AS day FROM reconciliation_runs "
    "UNION ALL SELECT evaluated_on FROM time_rules_runs) AS w)"
)
_JAKARTA_DAY = {
    "sqlite": "date({n}.recorded_at, '+7 hours')",
    "postgresql": "CAST(({n}.recorded_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)",
}
_CARD = {"card_number": "card_number"}
_VOUCHER = {"voucher_code": "voucher_code", "card_number": "card_number"}
_ATTENDED = {"voucher_code": "voucher_code"}
#: As 0014 for the tables that queue a row without a day beside dated rows of the same keys:
#: (keys: queue column -> row column, the day it counts from or None, condition).
_EMITS: dict[str, list[tuple[dict[str, str], str | None, str | None]]] = {
    "cards": [
        (_CARD, None, None),
        (_CARD, "revoked_on", "{n}.revoked_on IS NOT NULL"),
    ],
    "vouchers": [
        (_VOUCHER, None, None),
        *(
            (_VOUCHER, day, f"{{n}}.{day} IS NOT NULL")
            for day in ("purchased_on", "completed_on", "reviewed_on", "refunded_on")
        ),
    ],
    "attendances": [(_ATTENDED, None, None), (_ATTENDED, "jakarta", None)],
}


def _inserts(table: str, dialect: str, row: str, *, reached: bool) -> list[str]:
    """Return the statements queueing one written row (with `reached`: none already due)."""
    statements = []
    for keys, day, condition in _EMITS[table]:
        if day == "jakarta":
            on_day = _JAKARTA_DAY[dialect].format(n=row)
        else:
            on_day = f"{row}.{day}" if day else "NULL"
        values = [f"{row}.{source}" for source in keys.values()] + [on_day]
        conditions = [condition.format(n=row)] if condition else []
        if day is not None and reached:
            # Not known to be due yet: also when neither reader has run (the day is NULL).
            conditions.append(f"({on_day} <= {_REACHED}) IS NOT TRUE")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        source = "" if dialect == "sqlite" else " FROM new_rows AS n"
        statements.append(
            f"INSERT INTO {_QUEUE} ({', '.join([*keys, 'on_day'])}) "
            f"SELECT {', '.join(values)}{source}{where};"
        )
    return statements


def _replace_triggers(*, reached: bool) -> None:
    dialect = op.get_bind().dialect.name
    for table in _EMITS:
        if dialect == "sqlite":
            body = " ".join(_inserts(table, dialect, "NEW", reached=reached))
            for event in ("INSERT", "UPDATE"):
                name = f"rc_{table}_{event.lower()}"
                op.execute(f"DROP TRIGGER {name}")
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END"
                )
            continue
        body = " ".join(_inserts(table, dialect, "n", reached=reached))
        op.execute(
            f"CREATE OR REPLACE FUNCTION rc_{table}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$"
        )


#: The queues emptied by every daily run (PostgreSQL storage parameters).
_QUEUES = ("reconciliation_changes", "time_rule_changes")
_VACUUM_OFTEN = "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 50000"


def upgrade() -> None:
    _replace_triggers(reached=True)
    if op.get_bind().dialect.name == "postgresql":
        for queue in _QUEUES:
            op.execute(f"ALTER TABLE {queue} SET ({_VACUUM_OFTEN})")


def downgrade() -> None:
    _replace_triggers(reached=False)
    if op.get_bind().dialect.name == "postgresql":
        for queue in _QUEUES:
            op.execute(
                f"ALTER TABLE {queue} RESET "
                "(autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)"
            )
