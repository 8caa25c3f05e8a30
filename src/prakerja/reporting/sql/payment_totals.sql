-- What became of every instruction known on the day, per payment partner and wave.
-- Reads `paired` (the reconciliation's pairing of instructions and results) and `cards`.
WITH per_instruction AS (
    SELECT
        p.instruction_id,
        any_value(p.partner_code) AS partner_code,
        any_value(p.card_number) AS card_number,
        any_value(p.instructed_amount_idr) AS amount_idr,
        bool_or(p.cancelled) AS cancelled,
        count(p.partner_txn_id) FILTER (WHERE p.status = 'SUCCESS') AS successes,
        count(p.partner_txn_id) FILTER (WHERE p.status = 'FAILED') AS failures,
        coalesce(sum(p.reported_amount_idr) FILTER (WHERE p.status = 'SUCCESS'), 0) AS credited_idr,
        coalesce(bool_or(
            p.status = 'SUCCESS'
            AND p.reported_amount_idr = p.instructed_amount_idr
            AND p.credited_account_id = p.instructed_account_id
        ), false) AS exact
    FROM paired AS p
    WHERE p.instruction_id IS NOT NULL
    GROUP BY p.instruction_id
)
SELECT
    i.partner_code,
    c.wave,
    count(*) AS instructions,
    sum(i.amount_idr) AS instructed_idr,
    count(*) FILTER (WHERE i.successes > 0) AS paid,
    sum(i.credited_idr) AS paid_idr,
    count(*) FILTER (WHERE i.exact) AS matched,
    coalesce(sum(i.amount_idr) FILTER (WHERE i.exact), 0) AS matched_idr,
    count(*) FILTER (WHERE i.successes = 0 AND i.failures > 0) AS failed,
    coalesce(sum(i.amount_idr) FILTER (WHERE i.successes = 0 AND i.failures > 0), 0) AS failed_idr,
    count(*) FILTER (WHERE i.successes = 0 AND i.failures = 0 AND NOT i.cancelled) AS awaiting,
    coalesce(
        sum(i.amount_idr) FILTER (WHERE i.successes = 0 AND i.failures = 0 AND NOT i.cancelled), 0
    ) AS awaiting_idr,
    count(*) FILTER (WHERE i.successes = 0 AND i.failures = 0 AND i.cancelled) AS cancelled,
    coalesce(
        sum(i.amount_idr) FILTER (WHERE i.successes = 0 AND i.failures = 0 AND i.cancelled), 0
    ) AS cancelled_idr
FROM per_instruction AS i
LEFT JOIN cards AS c ON c.card_number = i.card_number
GROUP BY i.partner_code, c.wave
ORDER BY i.partner_code, c.wave
