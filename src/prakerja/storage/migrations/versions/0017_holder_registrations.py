"""The integrity signals look card holders up in a table of their own (issue 15).

0016 indexed every registration by phone and by birth date, so that the
daily run could find a changed group's members; only registrations of NIKs
that hold a card count, and they are a small part of the registrations a
program receives (each registration paid two index writes at import).
`holder_registrations` holds a copy of every registration of every NIK that
holds a card, kept in the writing transaction by triggers: a card issued
copies its NIK's registrations, a registration written for a NIK that holds
a card copies itself (the same trigger that queues it for the reconciliation,
so the import pays one check per row, as before). The two indexes move there.

Revision ID: 0017_holder_registrations
Revises: 0016_signal_changes
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_holder_registrations"
down_revision = "0016_signal_changes"
branch_labels = None
depends_on = None

_TABLE = "holder_registrations"
_COLUMNS = "registration_id, nik, phone, birth_date, registered_at"
_MOVED = {"phone": "ix_registrations_phone", "birth_date": "ix_registrations_birth_date"}
#: The day a registration counts from in the reconciliation queue (as 0016), per dialect.
_SQLITE_DAY = "date(NEW.registered_at, '+7 hours')"
_POSTGRES_DAY = "CAST((h.registered_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)"
_HOLDS_CARD = "EXISTS (SELECT 1 FROM cards AS c WHERE c.nik = {nik})"


def _copy_registrations_of(nik: str, *, ignore: str) -> str:
    """Return the statement copying every registration of the NIK `nik` names."""
    return (
        f"INSERT {ignore}INTO {_TABLE} ({_COLUMNS}) "
        f"SELECT r.id, r.nik, r.phone, r.birth_date, r.registered_at "
        f"FROM registrations AS r WHERE r.nik = {nik}"
    )


def _sqlite_triggers(*, holders: bool) -> list[str]:
    """The SQLite triggers on registrations (with the holders' copy, or 0016's) and cards."""
    holds = _HOLDS_CARD.format(nik="NEW.nik")
    queue = f"INSERT INTO reconciliation_changes (nik, on_day) SELECT NEW.nik, {_SQLITE_DAY}"
    if not holders:
        return [
            f"CREATE TRIGGER sc_registrations_{name} AFTER {event} ON registrations "
            f"FOR EACH ROW BEGIN {queue} WHERE {holds}; END"
            for name, event in (("insert", "INSERT"), ("update", "UPDATE"))
        ]
    copy = (
        f"INSERT OR REPLACE INTO {_TABLE} ({_COLUMNS}) "
        f"SELECT NEW.id, NEW.nik, NEW.phone, NEW.birth_date, NEW.registered_at"
    )
    copy_card = _copy_registrations_of("NEW.nik", ignore="OR IGNORE ")
    return [
        # The import's path: one check per row, and nothing more for a NIK without a card.
        f"CREATE TRIGGER sc_registrations_insert AFTER INSERT ON registrations FOR EACH ROW "
        f"WHEN {holds} BEGIN {queue}; {copy}; END",
        f"CREATE TRIGGER sc_registrations_update AFTER UPDATE ON registrations FOR EACH ROW "
        f"BEGIN DELETE FROM {_TABLE} WHERE registration_id = OLD.id; "
        f"{queue} WHERE {holds}; {copy} WHERE {holds}; END",
        f"CREATE TRIGGER hr_cards_insert AFTER INSERT ON cards FOR EACH ROW BEGIN {copy_card}; END",
        f"CREATE TRIGGER hr_cards_nik AFTER UPDATE OF nik ON cards FOR EACH ROW "
        f"WHEN OLD.nik IS NOT NEW.nik BEGIN {copy_card}; END",
    ]


def _postgres_registrations_body(*, holders: bool) -> str:
    """The body of `sc_registrations()` (statement level, `new_rows`): 0016's, or with the copy."""
    held = f"SELECT n.* FROM new_rows AS n WHERE {_HOLDS_CARD.format(nik='n.nik')}"
    queue = f"INSERT INTO reconciliation_changes (nik, on_day) SELECT h.nik, {_POSTGRES_DAY}"
    if not holders:
        return f"{queue} FROM ({held}) AS h; RETURN NULL;"
    return (
        f"IF TG_OP = 'UPDATE' THEN DELETE FROM {_TABLE} AS o USING new_rows AS n "
        f"WHERE o.registration_id = n.id; END IF; "
        f"WITH h AS MATERIALIZED ({held}), queued AS ({queue} FROM h) "
        f"INSERT INTO {_TABLE} ({_COLUMNS}) "
        f"SELECT h.id, h.nik, h.phone, h.birth_date, h.registered_at FROM h "
        f"ON CONFLICT (registration_id) DO NOTHING; RETURN NULL;"
    )


def _set_postgres_registrations(*, holders: bool) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION sc_registrations() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {_postgres_registrations_body(holders=holders)} END $$"
    )


def _create_postgres_card_triggers() -> None:
    copy_new = (
        f"INSERT INTO {_TABLE} ({_COLUMNS}) "
        f"SELECT r.id, r.nik, r.phone, r.birth_date, r.registered_at "
        f"FROM new_rows AS n JOIN registrations AS r ON r.nik = n.nik "
        f"ON CONFLICT (registration_id) DO NOTHING"
    )
    copy_one = _copy_registrations_of("NEW.nik", ignore="") + " ON CONFLICT DO NOTHING"
    op.execute(
        "CREATE FUNCTION hr_cards() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {copy_new}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER hr_cards_insert AFTER INSERT ON cards "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hr_cards()"
    )
    # A transition table cannot go with a column list: a card's NIK changing (never, in
    # the product) is caught row by row, and only when it changes.
    op.execute(
        "CREATE FUNCTION hr_card_nik() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {copy_one}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER hr_cards_nik AFTER UPDATE OF nik ON cards FOR EACH ROW "
        "WHEN (OLD.nik IS DISTINCT FROM NEW.nik) EXECUTE FUNCTION hr_card_nik()"
    )


def upgrade() -> None:
    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        _TABLE,
        sa.Column("registration_id", id_type, autoincrement=False, nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_holder_registrations")),
    )
    op.execute(
        f"INSERT INTO {_TABLE} ({_COLUMNS}) "
        "SELECT r.id, r.nik, r.phone, r.birth_date, r.registered_at FROM registrations AS r "
        "WHERE r.nik IN (SELECT nik FROM cards)"
    )
    op.create_index("ix_holder_registrations_nik", _TABLE, ["nik"])
    for column, moved in _MOVED.items():
        op.drop_index(moved, table_name="registrations")
        op.create_index(
            f"ix_holder_registrations_{column}", _TABLE, [column], postgresql_using="hash"
        )
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER sc_registrations_{event}")
        for statement in _sqlite_triggers(holders=True):
            op.execute(statement)
        return
    _set_postgres_registrations(holders=True)
    _create_postgres_card_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("sc_registrations_insert", "sc_registrations_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        for trigger in ("hr_cards_insert", "hr_cards_nik"):
            op.execute(f"DROP TRIGGER {trigger}")
        for statement in _sqlite_triggers(holders=False):
            op.execute(statement)
    else:
        for trigger in ("hr_cards_insert", "hr_cards_nik"):
            op.execute(f"DROP TRIGGER {trigger} ON cards")
        op.execute("DROP FUNCTION hr_cards()")
        op.execute("DROP FUNCTION hr_card_nik()")
        _set_postgres_registrations(holders=False)
    for column, moved in _MOVED.items():
        op.drop_index(f"ix_holder_registrations_{column}", table_name=_TABLE)
        op.create_index(moved, "registrations", [column], postgresql_using="hash")
    op.drop_index("ix_holder_registrations_nik", table_name=_TABLE)
    op.drop_table(_TABLE)
