"""Training balances: spent on purchases and restored by refunds, each with its ledger entry."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import post_movements
from prakerja.registry import repository
from prakerja.storage.duck import duckdb_connection, read_sql

_PACKAGE = "prakerja.registry"


def move_training_balances(session: Session, *, moves: pa.Table) -> None:
    """Spend and restore training balances, each with its ledger entry, in one step.

    `moves` has `card_number, voucher_code, direction` (`SPEND` or `RESTORE`),
    `amount_idr, platform_code, effective_on`. A spend moves the amount from
    the card's training balance to the platform's payable and records the
    card's first purchase day; a restore (a refund) moves it back, or - when
    the card's balance has already expired - straight on to the program fund.
    The database refuses a balance below zero, whatever the caller computed.
    """
    if moves.num_rows == 0:
        return
    cards = repository.card_states(session, moves["card_number"])
    accounts = {
        "payable": account(AccountKind.PLATFORM_PAYABLE) + ":",
        "balance": account(AccountKind.TRAINING_BALANCE) + ":",
        "fund": account(AccountKind.PROGRAM_FUND),
    }
    with duckdb_connection({"moves": moves, "cards": cards}) as db:
        changes = db.sql(read_sql(_PACKAGE, "balance_changes")).to_arrow_table()
        entries = db.sql(read_sql(_PACKAGE, "balance_entries"), params=accounts).to_arrow_table()
    repository.apply_balance_changes(session, changes)
    post_movements(
        session,
        keys=entries["idempotency_key"],
        kind=entries["entry_kind"],
        debit=entries["debit_account"],
        credit=entries["credit_account"],
        amounts=entries["amount_idr"],
        day=entries["effective_on"],
        references=entries["reference"],
    )
