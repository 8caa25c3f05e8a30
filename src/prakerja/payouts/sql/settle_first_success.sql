-- Each paid entitlement's earliest SUCCESS (the order the reconciliation ranks them in).
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
