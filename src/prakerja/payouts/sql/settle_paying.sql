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
