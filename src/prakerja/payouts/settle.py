"""Apply partner results to instructions: their states, the paid day, and the ledger.

Run over a set of entitlements - those that one of an import's new results
answers (a result answers the instruction with its `instruction_id` issued
to its `partner_code`), or the one whose instruction an operator cancelled.
Everything is set-based SQL in the system of record, in steps that keep the
partial unique index (one live instruction per entitlement) after each:

1. an open instruction with a FAILED result and no SUCCESS becomes FAILED
   (money, unless already paid: partner settlement -> incentives returned);
2. an entitlement is paid from its first known SUCCESS on, on any of its
   instructions, even while a retry is still in flight: its amount moves to
   paid out (once, from wherever it stands) and `paid_on` is the day of its
   earliest SUCCESS (the survey windows' anchor, moved back if an earlier
   SUCCESS arrives later);
3. a paid entitlement with nothing else open gets its payment, the one
   instruction marked SUCCEEDED: the attempt in flight when a SUCCESS
   answers it, else the one whose SUCCESS came first. While another attempt
   is open without a result, the payment waits for that attempt's result or
   cancel (which settles again).

A SUCCESS that is not the payment (a second one, a late one on an earlier
attempt) changes no state beyond that: it stays in `partner_results` as a
fact for reconciliation. Nothing here depends on the order results arrive
in beyond these rules, and re-applying them changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session

from prakerja.kit.clock import utc_now
from prakerja.ledger.service import LEDGER_INSERT
from prakerja.payouts.books import (
    PAID_OUT,
    PAYABLE,
    RETURNED,
    SETTLEMENT_PREFIX,
    EntryKind,
)
from prakerja.storage.base import UtcDateTime
from prakerja.storage.db import refresh_statistics
from prakerja.storage.duck import read_sql

#: The accounts and entry kinds the settle steps post with.
_ACCOUNTS = {
    "failed_kind": EntryKind.FAILED,
    "paid_kind": EntryKind.PAID,
    "returned": RETURNED,
    "settlement_prefix": SETTLEMENT_PREFIX,
    "paid_out": PAID_OUT,
    "payable": PAYABLE,
}
_TEMP_TABLES = (
    "settle_touched",
    "settle_firsts",
    "settle_facts",
    "settle_entitlements",
    "settle_first",
    "settle_paying",
)


def _sql(name: str) -> str:
    return read_sql("prakerja.payouts", name)


def _ledger(name: str) -> TextClause:
    """Return `INSERT INTO ledger_entries` followed by the movements of `sql/<name>.sql`."""
    return text(LEDGER_INSERT + _sql(name)).bindparams(bindparam("now", type_=UtcDateTime))


def settle_results(session: Session, *, import_run_id: int) -> None:
    """Apply the results an import added to their instructions, entitlements and the ledger."""
    _settle(session, text(_sql("settle_touched_by_import")).bindparams(run=import_run_id))


def settle_entitlements(session: Session, *, entitlement_ids: Sequence[int]) -> None:
    """Settle these entitlements again from every result on file (after a cancel)."""
    if entitlement_ids:
        touched = text(_sql("settle_touched_by_id")).bindparams(
            bindparam("ids", list(entitlement_ids), expanding=True)
        )
        _settle(session, touched)


def _settle(session: Session, touched: TextClause) -> None:
    """Run the steps over the entitlements that `touched` puts in `settle_touched`."""
    connection = session.connection()
    now = utc_now()
    for table in _TEMP_TABLES:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    connection.execute(touched)
    connection.execute(text("CREATE INDEX settle_touched_ix ON settle_touched (entitlement_id)"))
    refresh_statistics(session, "settle_touched")
    connection.execute(text(_sql("settle_firsts")))
    connection.execute(
        text("CREATE INDEX settle_firsts_ix ON settle_firsts (instruction_id, status)")
    )
    refresh_statistics(session, "settle_firsts")
    connection.execute(text(_sql("settle_facts")))
    connection.execute(
        text("CREATE INDEX settle_facts_ix ON settle_facts (entitlement_id, attempt)")
    )
    refresh_statistics(session, "settle_facts")
    connection.execute(_ledger("settle_failed_ledger"), {**_ACCOUNTS, "now": now})
    connection.execute(text(_sql("settle_failed_state")))
    connection.execute(text(_sql("settle_entitlements")))
    connection.execute(text(_sql("settle_first_success")))
    refresh_statistics(session, "settle_entitlements", "settle_first")
    connection.execute(_ledger("settle_paid_ledger"), {**_ACCOUNTS, "now": now})
    connection.execute(text(_sql("settle_paid_day")))
    connection.execute(text(_sql("settle_paying")))
    refresh_statistics(session, "settle_paying")
    connection.execute(text(_sql("settle_paid_state")))
    for table in _TEMP_TABLES:
        connection.execute(text(f"DROP TABLE {table}"))
