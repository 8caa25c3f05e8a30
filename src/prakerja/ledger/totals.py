"""Daily totals of the ledger per account, kept by the database itself (triggers).

The escrow proof and the books read balances of account KINDS as of a day;
summing `ledger_entries` for that costs O(entries), 100 million of them for a
national program. `ledger_day_totals` holds, per account and effective day,
what was debited and credited, so those balances cost O(days x accounts).

Which rows a movement adds to is decided by one rule, `bucket`, written here
once and generated into the triggers' SQL: an account of a per-party kind with
millions of parties (a card's training balance, a recovery claim's receivable)
is summed into its kind's one bucket `KIND:*`; every other account (the fund,
a partner's settlement, a payer's funding, a platform's payable, ...) is its
own bucket. A per-party account's own balance is read from its entries, by
the indexed account columns.

Triggers on `ledger_entries` keep the totals in the same transaction as the
entries, whatever path writes them (`post_movements`, the set-based
`LEDGER_INSERT ... SELECT` statements, a hand-written INSERT): on PostgreSQL
statement-level triggers with transition tables (one aggregated upsert per
statement; an `ON CONFLICT DO NOTHING` that skips a row does not put it in
the transition table), on SQLite row-level triggers with an upsert. Nothing
in the program updates or deletes entries, but if anyone does, the UPDATE and
DELETE triggers take the old rows out again, and on PostgreSQL a TRUNCATE of
the entries empties the totals.

On PostgreSQL the insert trigger first takes the same transaction-scoped
advisory lock as `storage.bulk` takes to load `ledger_entries`: the writers of
the ledger then queue for the hot totals rows (the fund's row of today) one
transaction at a time instead of deadlocking over them.
"""

from __future__ import annotations

from prakerja.ledger.accounts import AccountKind

#: Kinds with one account per person, card or claim: summed into one bucket per kind.
PER_PARTY_KINDS: frozenset[AccountKind] = frozenset(
    {AccountKind.TRAINING_BALANCE, AccountKind.RECOVERY_RECEIVABLE}
)
#: The suffix of a per-party kind's bucket: `TRAINING_BALANCE:*`.
ALL_PARTIES = "*"


def kind_bucket(kind: AccountKind) -> str:
    """Return the bucket every account of a per-party kind is summed into."""
    return f"{kind.value}:{ALL_PARTIES}"


def per_party(account_name: str) -> bool:
    """Return True when an account is one party's account of a per-party kind."""
    return any(account_name.startswith(f"{kind.value}:") for kind in PER_PARTY_KINDS)


def bucket(account_name: str) -> str:
    """Return the totals row an account's movements are summed into."""
    for kind in sorted(PER_PARTY_KINDS):
        if account_name.startswith(f"{kind.value}:"):
            return kind_bucket(kind)
    return account_name


def bucket_sql(column: str) -> str:
    """Return `bucket` as an SQL expression over `column` (the same on SQLite and PostgreSQL)."""
    whens = " ".join(
        f"WHEN substr({column}, 1, {len(kind.value) + 1}) = '{kind.value}:' "
        f"THEN '{kind_bucket(kind)}'"
        for kind in sorted(PER_PARTY_KINDS)
    )
    return f"CASE {whens} ELSE {column} END"


def _flows(rows: str) -> str:
    """Return each movement of `rows` as a debit row and a credit row of its buckets."""
    return (
        f"SELECT {bucket_sql('debit_account')} AS account, effective_on, "
        f"amount_idr AS debit_idr, 0 AS credit_idr FROM {rows} "
        f"UNION ALL SELECT {bucket_sql('credit_account')}, effective_on, "
        f"0, amount_idr FROM {rows}"
    )


def _add(rows: str) -> str:
    """Return the upsert adding `rows` (a table of entries) to the totals, one row per bucket."""
    return (
        "INSERT INTO ledger_day_totals AS t (account, effective_on, debit_idr, credit_idr) "
        f"SELECT account, effective_on, sum(debit_idr), sum(credit_idr) FROM ({_flows(rows)}) f "
        "GROUP BY account, effective_on ORDER BY account, effective_on "
        "ON CONFLICT (account, effective_on) DO UPDATE SET "
        "debit_idr = t.debit_idr + EXCLUDED.debit_idr, "
        "credit_idr = t.credit_idr + EXCLUDED.credit_idr"
    )


def _subtract(rows: str) -> str:
    """Return the update taking `rows` (a table of entries) out of the totals."""
    return (
        "UPDATE ledger_day_totals AS t SET "
        "debit_idr = t.debit_idr - f.debit_idr, credit_idr = t.credit_idr - f.credit_idr "
        f"FROM (SELECT account, effective_on, sum(debit_idr) AS debit_idr, "
        f"sum(credit_idr) AS credit_idr FROM ({_flows(rows)}) g "
        "GROUP BY account, effective_on) f "
        "WHERE t.account = f.account AND t.effective_on = f.effective_on"
    )


_LOCK = "PERFORM pg_advisory_xact_lock(hashtext(current_schema() || ':bulk:ledger_entries'));"


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$"
    )


def _postgresql() -> list[str]:
    return [
        _pg_function("ledger_day_totals_insert", f"{_LOCK}\n{_add('new_rows')};"),
        "CREATE TRIGGER ledger_day_totals_insert AFTER INSERT ON ledger_entries "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION ledger_day_totals_insert()",
        _pg_function(
            "ledger_day_totals_update", f"{_LOCK}\n{_subtract('old_rows')};\n{_add('new_rows')};"
        ),
        "CREATE TRIGGER ledger_day_totals_update AFTER UPDATE ON ledger_entries "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION ledger_day_totals_update()",
        _pg_function("ledger_day_totals_delete", f"{_LOCK}\n{_subtract('old_rows')};"),
        "CREATE TRIGGER ledger_day_totals_delete AFTER DELETE ON ledger_entries "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION ledger_day_totals_delete()",
        _pg_function("ledger_day_totals_truncate", "DELETE FROM ledger_day_totals;"),
        "CREATE TRIGGER ledger_day_totals_truncate AFTER TRUNCATE ON ledger_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_day_totals_truncate()",
    ]


def _sqlite_add(row: str) -> str:
    """Return SQLite upserts adding one row (NEW or OLD) to its two buckets."""
    sides = (("debit", "debit_account"), ("credit", "credit_account"))
    return " ".join(
        "INSERT INTO ledger_day_totals (account, effective_on, debit_idr, credit_idr) "
        f"SELECT {bucket_sql(f'{row}.{column}')}, {row}.effective_on, "
        f"{row}.amount_idr * {int(side == 'debit')}, {row}.amount_idr * {int(side == 'credit')} "
        "WHERE true ON CONFLICT (account, effective_on) DO UPDATE SET "
        f"{side}_idr = {side}_idr + excluded.{side}_idr;"
        for side, column in sides
    )


def _sqlite_subtract(row: str) -> str:
    """Return SQLite updates taking one row (OLD) out of its two buckets."""
    sides = (("debit", "debit_account"), ("credit", "credit_account"))
    return " ".join(
        f"UPDATE ledger_day_totals SET {side}_idr = {side}_idr - {row}.amount_idr "
        f"WHERE account = {bucket_sql(f'{row}.{column}')} "
        f"AND effective_on = {row}.effective_on;"
        for side, column in sides
    )


def _sqlite() -> list[str]:
    return [
        "CREATE TRIGGER ledger_day_totals_insert AFTER INSERT ON ledger_entries "
        f"BEGIN {_sqlite_add('NEW')} END",
        "CREATE TRIGGER ledger_day_totals_update AFTER UPDATE ON ledger_entries "
        f"BEGIN {_sqlite_subtract('OLD')} {_sqlite_add('NEW')} END",
        "CREATE TRIGGER ledger_day_totals_delete AFTER DELETE ON ledger_entries "
        f"BEGIN {_sqlite_subtract('OLD')} END",
    ]


def create_triggers(dialect: str) -> list[str]:
    """Return the statements that create the totals' triggers on `dialect`."""
    return _postgresql() if dialect == "postgresql" else _sqlite()


def drop_triggers(dialect: str) -> list[str]:
    """Return the statements that drop the totals' triggers on `dialect`."""
    events = ("insert", "update", "delete") + (("truncate",) if dialect == "postgresql" else ())
    if dialect != "postgresql":
        return [f"DROP TRIGGER IF EXISTS ledger_day_totals_{event}" for event in events]
    return [
        statement
        for event in events
        for statement in (
            f"DROP TRIGGER IF EXISTS ledger_day_totals_{event} ON ledger_entries",
            f"DROP FUNCTION IF EXISTS ledger_day_totals_{event}()",
        )
    ]


def rebuild() -> list[str]:
    """Return the statements that recompute every total from the entries (the backfill)."""
    return [
        "DELETE FROM ledger_day_totals",
        "INSERT INTO ledger_day_totals (account, effective_on, debit_idr, credit_idr) "
        f"SELECT account, effective_on, sum(debit_idr), sum(credit_idr) "
        f"FROM ({_flows('ledger_entries')}) f GROUP BY account, effective_on",
    ]
