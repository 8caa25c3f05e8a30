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

_TOUCHED_BY_IMPORT = """
CREATE TEMP TABLE settle_touched AS
SELECT DISTINCT i.entitlement_id
FROM partner_results n
JOIN instructions i ON i.instruction_id = n.instruction_id AND i.partner_code = n.partner_code
WHERE n.import_run_id = :run
"""

_TOUCHED_BY_ID = """
CREATE TEMP TABLE settle_touched AS
SELECT id AS entitlement_id FROM entitlements WHERE id IN :ids
"""

_FACTS = """
CREATE TEMP TABLE settle_facts AS
WITH firsts AS (
    SELECT
        r.instruction_id, r.status, r.processed_at, r.processed_on, r.partner_txn_id,
        row_number() OVER (
            PARTITION BY r.instruction_id, r.status
            ORDER BY r.processed_at, r.partner_txn_id
        ) AS position
    FROM settle_touched t
    CROSS JOIN instructions i
    CROSS JOIN partner_results r
    WHERE i.entitlement_id = t.entitlement_id
      AND r.instruction_id = i.instruction_id AND r.partner_code = i.partner_code
)
SELECT
    i.instruction_id, i.entitlement_id, i.attempt, i.partner_code, i.amount_idr,
    i.state AS old_state,
    CASE WHEN e.paid_on IS NULL THEN 0 ELSE 1 END AS was_paid,
    s.processed_at AS s_at, s.processed_on AS s_on, s.partner_txn_id AS s_txn,
    f.processed_at AS f_at, f.processed_on AS f_on, f.partner_txn_id AS f_txn,
    CASE
        WHEN i.state = 'OPEN' AND s.processed_at IS NULL AND f.processed_at IS NOT NULL
        THEN 'FAILED' ELSE i.state
    END AS state_a
FROM settle_touched t
CROSS JOIN instructions i
CROSS JOIN entitlements e
LEFT JOIN firsts s
  ON s.instruction_id = i.instruction_id AND s.status = 'SUCCESS' AND s.position = 1
LEFT JOIN firsts f
  ON f.instruction_id = i.instruction_id AND f.status = 'FAILED' AND f.position = 1
WHERE i.entitlement_id = t.entitlement_id AND e.id = t.entitlement_id
"""

_FAILED_LEDGER = f"""{LEDGER_INSERT}
SELECT
    'FAILED:' || instruction_id, '{EntryKind.FAILED}', '{RETURNED}',
    '{SETTLEMENT_PREFIX}' || partner_code, amount_idr, f_on, instruction_id, :now
FROM settle_facts
WHERE old_state = 'OPEN' AND state_a = 'FAILED' AND was_paid = 0
ON CONFLICT (idempotency_key) DO NOTHING
"""

_FAILED_STATE = """
UPDATE instructions
SET state = 'FAILED', result_at = f.f_at, result_txn_id = f.f_txn
FROM settle_facts f
WHERE instructions.instruction_id = f.instruction_id
  AND f.old_state = 'OPEN' AND f.state_a = 'FAILED'
"""

_ENTITLEMENTS = """
CREATE TEMP TABLE settle_entitlements AS
SELECT
    entitlement_id,
    max(attempt) AS last_attempt,
    max(was_paid) AS was_paid,
    max(CASE WHEN state_a = 'SUCCEEDED' THEN 1 ELSE 0 END) AS has_payment,
    max(CASE WHEN state_a = 'OPEN' AND s_at IS NULL THEN 1 ELSE 0 END) AS waiting
FROM settle_facts
GROUP BY entitlement_id
HAVING max(CASE WHEN s_at IS NOT NULL THEN 1 ELSE 0 END) = 1
"""

#: Each paid entitlement's earliest SUCCESS (the order the reconciliation ranks them in).
_FIRST_SUCCESS = """
CREATE TEMP TABLE settle_first AS
SELECT entitlement_id, instruction_id, amount_idr, s_on
FROM (
    SELECT
        entitlement_id, instruction_id, amount_idr, s_on,
        row_number() OVER (
            PARTITION BY entitlement_id ORDER BY s_at, partner_code, s_txn
        ) AS position
    FROM settle_facts
    WHERE s_at IS NOT NULL
) ranked
WHERE position = 1
"""

_PAID_LEDGER = f"""{LEDGER_INSERT}
SELECT
    'PAID:' || p.instruction_id, '{EntryKind.PAID}', '{PAID_OUT}',
    CASE
        WHEN l.state_a = 'OPEN' THEN '{SETTLEMENT_PREFIX}' || l.partner_code
        WHEN l.state_a = 'FAILED' THEN '{RETURNED}'
        ELSE '{PAYABLE}'
    END,
    p.amount_idr, p.s_on, p.instruction_id, :now
FROM settle_entitlements e
JOIN settle_first p ON p.entitlement_id = e.entitlement_id
JOIN settle_facts l ON l.entitlement_id = e.entitlement_id AND l.attempt = e.last_attempt
WHERE e.was_paid = 0 AND p.amount_idr > 0
ON CONFLICT (idempotency_key) DO NOTHING
"""

_PAID_DAY = """
UPDATE entitlements
SET paid_on = p.s_on
FROM settle_first p
WHERE entitlements.id = p.entitlement_id
  AND (entitlements.paid_on IS NULL OR entitlements.paid_on > p.s_on)
"""

_PAYING = """
CREATE TEMP TABLE settle_paying AS
SELECT instruction_id, s_at, s_txn
FROM (
    SELECT
        f.instruction_id, f.s_at, f.s_txn,
        row_number() OVER (
            PARTITION BY f.entitlement_id
            ORDER BY CASE WHEN f.state_a = 'OPEN' THEN 0 ELSE 1 END, f.s_at, f.partner_code, f.s_txn
        ) AS position
    FROM settle_entitlements e
    JOIN settle_facts f ON f.entitlement_id = e.entitlement_id
    WHERE e.has_payment = 0 AND e.waiting = 0 AND f.s_at IS NOT NULL
) ranked
WHERE position = 1
"""

_PAID_STATE = """
UPDATE instructions
SET state = 'SUCCEEDED', result_at = p.s_at, result_txn_id = p.s_txn
FROM settle_paying p
WHERE instructions.instruction_id = p.instruction_id
"""


_TEMP_TABLES = (
    "settle_touched",
    "settle_facts",
    "settle_entitlements",
    "settle_first",
    "settle_paying",
)


def settle_results(session: Session, *, import_run_id: int) -> None:
    """Apply the results an import added to their instructions, entitlements and the ledger."""
    _settle(session, text(_TOUCHED_BY_IMPORT).bindparams(run=import_run_id))


def settle_entitlements(session: Session, *, entitlement_ids: Sequence[int]) -> None:
    """Settle these entitlements again from every result on file (after a cancel)."""
    if entitlement_ids:
        touched = text(_TOUCHED_BY_ID).bindparams(
            bindparam("ids", list(entitlement_ids), expanding=True)
        )
        _settle(session, touched)


def _settle(session: Session, touched: TextClause) -> None:
    """Run the steps over the entitlements that `touched` puts in `settle_touched`."""
    connection = session.connection()
    now = bindparam("now", utc_now(), type_=UtcDateTime)
    for table in _TEMP_TABLES:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    connection.execute(touched)
    connection.execute(text("CREATE INDEX settle_touched_ix ON settle_touched (entitlement_id)"))
    refresh_statistics(session, "settle_touched")
    connection.execute(text(_FACTS))
    connection.execute(
        text("CREATE INDEX settle_facts_ix ON settle_facts (entitlement_id, attempt)")
    )
    refresh_statistics(session, "settle_facts")
    connection.execute(text(_FAILED_LEDGER).bindparams(now))
    connection.execute(text(_FAILED_STATE))
    connection.execute(text(_ENTITLEMENTS))
    connection.execute(text(_FIRST_SUCCESS))
    refresh_statistics(session, "settle_entitlements", "settle_first")
    connection.execute(text(_PAID_LEDGER).bindparams(now))
    connection.execute(text(_PAID_DAY))
    connection.execute(text(_PAYING))
    refresh_statistics(session, "settle_paying")
    connection.execute(text(_PAID_STATE))
    for table in _TEMP_TABLES:
        connection.execute(text(f"DROP TABLE {table}"))
