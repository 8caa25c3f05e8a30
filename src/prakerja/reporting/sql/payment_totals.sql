-- What became of every instruction known on the day, per payment partner and wave.
-- Reads `paired` (the reconciliation's pairing of instructions and results) and `cards`.
WITH per_instruction AS (
    SELECT
        p.i_row,
        any_value(p.instructed_amount_idr) AS amount_idr,
        bool_or(p.cancelled) AS cancelled,
        count(*) FILTER (WHERE p.succeeded) AS successes,
        count(*) FILTER (WHERE NOT p.succeeded) AS failures,
        coalesce(sum(p.reported_amount_idr) FILTER (WHERE p.succeeded), 0) AS credited_idr,
        coalesce(bool_or(
            p.succeeded AND p.reported_amount_idr = p.instructed_amount_idr AND p.same_account
        ), false) AS exact
    FROM paired AS p
    WHERE p.issued
    GROUP BY p.i_row
)
SELECT
    s.partner_code,
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
JOIN instructions AS s ON s.row_id = i.i_row
LEFT JOIN cards AS c ON c.card_number = s.card_number
GROUP BY s.partner_code, c.wave
ORDER BY s.partner_code, c.wave
