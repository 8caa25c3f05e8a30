CREATE TEMP TABLE settle_facts AS
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
LEFT JOIN settle_firsts s ON s.instruction_id = i.instruction_id AND s.status = 'SUCCESS'
LEFT JOIN settle_firsts f ON f.instruction_id = i.instruction_id AND f.status = 'FAILED'
WHERE i.entitlement_id = t.entitlement_id AND e.id = t.entitlement_id
