-- Every instruction known on the day beside every partner result that answers it (the same
-- instruction id from the same partner); an instruction with no result, or a result naming
-- no instruction the program issued to that partner, stands alone on its side.
SELECT
    i.instruction_id,
    coalesce(i.partner_code, r.partner_code) AS partner_code,
    r.instruction_id AS reported_instruction_id,
    i.batch_id,
    i.card_number,
    i.kind,
    i.tranche,
    i.attempt,
    i.account_id AS instructed_account_id,
    i.amount_idr AS instructed_amount_idr,
    i.created_on,
    coalesce(
        i.state = 'CANCELLED' AND coalesce(i.cancelled_on, i.created_on) <= $day, false
    ) AS cancelled,
    r.partner_txn_id,
    r.account_id AS credited_account_id,
    r.amount_idr AS reported_amount_idr,
    r.status,
    r.failure_code,
    r.processed_at,
    r.processed_on
FROM (SELECT * FROM instructions WHERE created_on <= $day) AS i
FULL OUTER JOIN (SELECT * FROM results WHERE processed_on <= $day) AS r
    ON r.instruction_id = i.instruction_id AND r.partner_code = i.partner_code
