-- The first SUCCESS and the first FAILED result of each touched instruction (by time, then
-- transaction id). A table of its own, indexed and analysed, not a CTE: joined twice as a
-- CTE, its size was guessed at a row and the join became a nested loop over every pair.
CREATE TEMP TABLE settle_firsts AS
SELECT instruction_id, status, processed_at, processed_on, partner_txn_id
FROM (
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
) ranked
WHERE position = 1
