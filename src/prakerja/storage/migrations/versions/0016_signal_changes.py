"""The daily run's integrity signals read only the groups that changed (issue 15).

The queue of 0014 names the cards, vouchers and NIKs whose facts changed;
two more triggers add what the signals need and the reconciliation did not
queue: a card holder's registration (its phone, name and birth date; a
registration of a NIK holding no card counts only once the card is issued,
which queues the NIK) under the day it was registered in Jakarta, and a
card's holder under the day the card is issued (also ahead). The indexes
find a touched group's members: every link of a payout account, every
registration of a NIK or written with a phone, every registration born on a
day. `signal_evaluations.run_id` names the reconciliation run whose
changed keys an evaluation took last, so that a run after another that no
evaluation followed evaluates everything.

Revision ID: 0016_signal_changes
Revises: 0015_time_rules
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_signal_changes"
down_revision = "0015_time_rules"
branch_labels = None
depends_on = None

_QUEUE = "reconciliation_changes"
#: Per table: the day a written row counts from ({n} is the row), per dialect, and which
#: rows are queued (a registration only once its NIK holds a card).
_DAY = {
    "registrations": {
        "sqlite": "date({n}.registered_at, '+7 hours')",
        "postgresql": "CAST(({n}.registered_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)",
    },
    "cards": {"sqlite": "{n}.issued_on", "postgresql": "{n}.issued_on"},
}
_WHERE = {
    "registrations": " WHERE EXISTS (SELECT 1 FROM cards AS c WHERE c.nik = {n}.nik)",
    "cards": "",
}
#: A card's balance changes at every purchase: only its holder, registration or issue day
#: matters to the signals.
_CARD_KEYS = ("nik", "registration_id", "issued_on")
#: Per index: its table, columns and PostgreSQL access method (equality-only random keys
#: are cheaper to write as hashes).
_INDEXES = {
    "ix_registrations_nik": ("registrations", ["nik"], "btree"),
    "ix_registrations_phone": ("registrations", ["phone"], "hash"),
    "ix_registrations_birth_date": ("registrations", ["birth_date"], "hash"),
    "ix_payout_accounts_account": ("payout_accounts", ["account_id", "partner_code"], "btree"),
}


def _queue(dialect: str, table: str, *, changed: bool = False) -> str:
    """Return the INSERT ... SELECT that queues the written rows' NIKs under their days."""
    row = "NEW" if dialect == "sqlite" else "n"
    day, where = _DAY[table][dialect].format(n=row), _WHERE[table].format(n=row)
    source = "" if dialect == "sqlite" else " FROM new_rows AS n"
    if changed:
        old = ", ".join(f"o.{c}" for c in _CARD_KEYS)
        new = ", ".join(f"n.{c}" for c in _CARD_KEYS)
        source += " JOIN old_rows AS o ON o.card_number = n.card_number"
        where = f" WHERE ({old}) IS DISTINCT FROM ({new})"
    return f"INSERT INTO {_QUEUE} (nik, on_day) SELECT {row}.nik, {day}{source}{where};"


def _create_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for table, update in (
            ("registrations", "UPDATE"),
            ("cards", "UPDATE OF nik, registration_id, issued_on"),
        ):
            for name, event in (("insert", "INSERT"), ("update", update)):
                op.execute(
                    f"CREATE TRIGGER sc_{table}_{name} AFTER {event} ON {table} "
                    f"FOR EACH ROW BEGIN {_queue(dialect, table)} END"
                )
        return
    functions = {
        "sc_registrations": (
            "registrations",
            _queue(dialect, "registrations"),
            ("INSERT", "UPDATE"),
        ),
        "sc_cards": ("cards", _queue(dialect, "cards"), ("INSERT",)),
        "sc_cards_changed": ("cards", _queue(dialect, "cards", changed=True), ("UPDATE",)),
    }
    for function, (table, body, table_events) in functions.items():
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$"
        )
        for event in table_events:
            old = " OLD TABLE AS old_rows" if function == "sc_cards_changed" else ""
            op.execute(
                f"CREATE TRIGGER sc_{table}_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING{old} NEW TABLE AS new_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {function}()"
            )


def upgrade() -> None:
    for name, (table, columns, method) in _INDEXES.items():
        op.create_index(name, table, columns, postgresql_using=method)
    with op.batch_alter_table("signal_evaluations") as batch:
        batch.add_column(sa.Column("run_id", sa.BigInteger(), nullable=True))
    _create_triggers(op.get_bind().dialect.name)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("registrations", "cards"):
        for event in ("insert", "update"):
            suffix = "" if dialect == "sqlite" else f" ON {table}"
            op.execute(f"DROP TRIGGER IF EXISTS sc_{table}_{event}{suffix}")
        if dialect != "sqlite":
            op.execute(f"DROP FUNCTION IF EXISTS sc_{table}()")
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS sc_cards_changed()")
    with op.batch_alter_table("signal_evaluations") as batch:
        batch.drop_column("run_id")
    for name, (table, _columns, _method) in _INDEXES.items():
        op.drop_index(name, table_name=table)
