-- Every instruction known on the day beside every partner result that answers it (the same
-- instruction id from the same partner); an instruction with no result, or a result naming
-- no instruction the program issued to that partner (`issued` false), stands alone.
-- Narrow on purpose: rows point back to `instructions` and `results` by their `row_id`, so
-- only the few rows that end up as breaks ever fetch their texts.
SELECT
    i.row_id AS i_row,
    r.row_id AS r_row,
    i.row_id IS NOT NULL AS issued,
    i.entitlement_id,
    i.attempt,
    coalesce(i.kind = 'POST_TRAINING' AND i.tranche = 1, false) AS first_tranche,
    i.amount_idr AS instructed_amount_idr,
    i.created_on,
    coalesce(
        i.state = 'CANCELLED' AND coalesce(i.cancelled_on, i.created_on) <= $day, false
    ) AS cancelled,
    r.status = 'SUCCESS' AS succeeded,
    r.account_id = i.account_id AS same_account,
    r.amount_idr AS reported_amount_idr,
    r.processed_at,
    r.processed_on
FROM (SELECT * FROM instructions WHERE created_on <= $day) AS i
FULL OUTER JOIN (SELECT * FROM results WHERE processed_on <= $day) AS r
    ON r.instruction_id = i.instruction_id AND r.partner_code = i.partner_code
