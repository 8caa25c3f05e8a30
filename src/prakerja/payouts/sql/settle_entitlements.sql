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
