"""Apply partner results to instructions: their states, the paid day, and the ledger.

Run inside the import's transaction, over every entitlement that one of the
import's new results answers (a result answers the instruction with its
`instruction_id` issued to its `partner_code`). Everything is set-based SQL
in the system of record, in two steps so that the partial unique index
holds after every statement:

1. an open instruction with a FAILED result and no SUCCESS becomes FAILED
   (money: partner settlement -> incentives returned);
2. an entitlement with a SUCCESS and nothing else live or still open gets
   its paying instruction - the open one when it has a SUCCESS, else the
   one whose SUCCESS came first - marked SUCCEEDED, and its paid day set
   (money: from wherever it stands -> paid out).

A SUCCESS that cannot become the entitlement's payment (a second SUCCESS,
or a late one on a failed or cancelled attempt while another attempt is
live) changes no state: it stays in `partner_results` as a fact for
reconciliation. Nothing here depends on the order results arrive in beyond
that rule, and re-applying it changes nothing.
"""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from prakerja.kit.clock import utc_now
from prakerja.payouts.books import (
    LEDGER_INSERT,
    PAID_OUT,
    PAYABLE,
    RETURNED,
    SETTLEMENT_PREFIX,
    EntryKind,
)
from prakerja.storage.base import UtcDateTime

_TOUCHED = """
CREATE TEMP TABLE settle_touched AS
SELECT DISTINCT i.entitlement_id
FROM partner_results n
JOIN instructions i ON i.instruction_id = n.instruction_id AND i.partner_code = n.partner_code
WHERE n.import_run_id = :run
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
    s.processed_at AS s_at, s.processed_on AS s_on, s.partner_txn_id AS s_txn,
    f.processed_at AS f_at, f.processed_on AS f_on, f.partner_txn_id AS f_txn,
    CASE
        WHEN i.state = 'OPEN' AND s.processed_at IS NULL AND f.processed_at IS NOT NULL
        THEN 'FAILED' ELSE i.state
    END AS state_a
FROM settle_touched t
CROSS JOIN instructions i
LEFT JOIN firsts s
  ON s.instruction_id = i.instruction_id AND s.status = 'SUCCESS' AND s.position = 1
LEFT JOIN firsts f
  ON f.instruction_id = i.instruction_id AND f.status = 'FAILED' AND f.position = 1
WHERE i.entitlement_id = t.entitlement_id
"""

_FAILED_LEDGER = f"""{LEDGER_INSERT}
SELECT
    'FAILED:' || instruction_id, '{EntryKind.FAILED}', '{RETURNED}',
    '{SETTLEMENT_PREFIX}' || partner_code, amount_idr, f_on, instruction_id, :now
FROM settle_facts
WHERE old_state = 'OPEN' AND state_a = 'FAILED'
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
    max(CASE WHEN state_a = 'SUCCEEDED' OR (state_a = 'OPEN' AND s_at IS NULL) THEN 1 ELSE 0 END)
        AS blocked,
    max(CASE WHEN s_at IS NOT NULL THEN 1 ELSE 0 END) AS has_success
FROM settle_facts
GROUP BY entitlement_id
"""

_PAYING = f"""
CREATE TEMP TABLE settle_paying AS
SELECT
    p.instruction_id, p.entitlement_id, p.amount_idr, p.s_at, p.s_on, p.s_txn,
    CASE
        WHEN l.state_a = 'OPEN' THEN '{SETTLEMENT_PREFIX}' || l.partner_code
        WHEN l.state_a = 'FAILED' THEN '{RETURNED}'
        ELSE '{PAYABLE}'
    END AS from_account
FROM settle_entitlements e
JOIN settle_facts l ON l.entitlement_id = e.entitlement_id AND l.attempt = e.last_attempt
JOIN settle_facts p ON p.entitlement_id = e.entitlement_id AND p.attempt = (
    SELECT f.attempt FROM settle_facts f
    WHERE f.entitlement_id = e.entitlement_id AND f.s_at IS NOT NULL
    ORDER BY CASE WHEN f.state_a = 'OPEN' THEN 0 ELSE 1 END, f.s_at, f.attempt
    LIMIT 1
)
WHERE e.blocked = 0 AND e.has_success = 1
"""

_PAID_LEDGER = f"""{LEDGER_INSERT}
SELECT
    'PAID:' || instruction_id, '{EntryKind.PAID}', '{PAID_OUT}', from_account,
    amount_idr, s_on, instruction_id, :now
FROM settle_paying
WHERE amount_idr > 0
ON CONFLICT (idempotency_key) DO NOTHING
"""

_PAID_STATE = """
UPDATE instructions
SET state = 'SUCCEEDED', result_at = p.s_at, result_txn_id = p.s_txn
FROM settle_paying p
WHERE instructions.instruction_id = p.instruction_id
"""

_PAID_DAY = """
UPDATE entitlements
SET paid_on = p.s_on
FROM settle_paying p
WHERE entitlements.id = p.entitlement_id
"""


_TEMP_TABLES = ("settle_touched", "settle_facts", "settle_entitlements", "settle_paying")


def settle_results(session: Session, *, import_run_id: int) -> None:
    """Apply the results an import added to their instructions, entitlements and the ledger."""
    connection = session.connection()
    now = bindparam("now", utc_now(), type_=UtcDateTime)
    for table in _TEMP_TABLES:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    connection.execute(text(_TOUCHED), {"run": import_run_id})
    connection.execute(text("CREATE INDEX settle_touched_ix ON settle_touched (entitlement_id)"))
    connection.execute(text(_FACTS))
    connection.execute(
        text("CREATE INDEX settle_facts_ix ON settle_facts (entitlement_id, attempt)")
    )
    connection.execute(text(_FAILED_LEDGER).bindparams(now))
    connection.execute(text(_FAILED_STATE))
    connection.execute(text(_ENTITLEMENTS))
    connection.execute(text(_PAYING))
    connection.execute(text(_PAID_LEDGER).bindparams(now))
    connection.execute(text(_PAID_STATE))
    connection.execute(text(_PAID_DAY))
    for table in _TEMP_TABLES:
        connection.execute(text(f"DROP TABLE {table}"))
