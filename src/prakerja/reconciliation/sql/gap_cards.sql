-- The gap report by participant: every participant whose first training is completed on the
-- day, in the first stage that applies, with the first post-training tranche their scheme
-- pays. Reads `paired` (paired.sql) for the first tranche's instructions and results.
-- The report itself counts these rows per stage (gap.py).
WITH completed AS (
    SELECT
        f.card_number,
        f.reviewed_on,
        c.nik,
        c.scheme,
        coalesce(r.first_tranche_idr, 0) AS amount_idr
    FROM first_trainings AS f
    JOIN cards AS c ON c.card_number = f.card_number
    LEFT JOIN scheme_rules AS r ON r.scheme = c.scheme
    WHERE f.completed_on <= $day
),
first_tranche AS (
    SELECT
        i.card_number,
        t.paid,
        t.in_flight,
        t.last_failed_at
    FROM (
        SELECT
            entitlement_id,
            any_value(i_row) AS i_row,
            coalesce(bool_or(succeeded), false) AS paid,
            bool_or(r_row IS NULL AND NOT cancelled) AS in_flight,
            max(processed_at) FILTER (WHERE NOT succeeded) AS last_failed_at
        FROM paired
        WHERE issued AND first_tranche
        GROUP BY entitlement_id
    ) AS t
    JOIN instructions AS i ON i.row_id = t.i_row
),
held AS (
    SELECT card_number FROM holds WHERE held_from <= $day
    UNION
    SELECT c.card_number
    FROM completed AS c
    JOIN exclusions AS e ON e.nik = c.nik
    JOIN scheme_lists AS l ON l.scheme = c.scheme AND l.list_code = e.list_code
    WHERE e.effective_from <= $day
),
linked AS (
    SELECT card_number, max(linked_at) AS linked_at
    FROM payout_accounts
    WHERE linked_on <= $day
    GROUP BY card_number
),
staged AS (
    SELECT
        c.card_number,
        c.amount_idr,
        CASE
            WHEN t.paid THEN 'PAID'
            WHEN h.card_number IS NOT NULL THEN 'HELD_INELIGIBLE'
            WHEN t.in_flight THEN 'IN_FLIGHT'
            WHEN t.last_failed_at IS NOT NULL AND coalesce(a.linked_at <= t.last_failed_at, true)
                THEN 'FAILED_AWAITING_ACCOUNT'
            WHEN c.reviewed_on IS NULL OR c.reviewed_on > $day THEN 'AWAITING_REVIEW'
            WHEN a.card_number IS NULL THEN 'NO_ACCOUNT'
            ELSE 'DUE_NOT_INSTRUCTED'
        END AS stage
    FROM completed AS c
    LEFT JOIN first_tranche AS t ON t.card_number = c.card_number
    LEFT JOIN held AS h ON h.card_number = c.card_number
    LEFT JOIN linked AS a ON a.card_number = c.card_number
)
SELECT card_number, stage, amount_idr
FROM staged
