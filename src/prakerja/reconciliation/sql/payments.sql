-- The seven payment breaks, read from `paired` (paired.sql) and who each card belongs to.
-- One row per break condition, in the columns of every engine query (see engine.py).
WITH holders AS (
    SELECT c.card_number, c.nik, c.wave, c.scheme, c.revoked_on, coalesce(s.sla_days, 1) AS sla_days
    FROM cards AS c
    LEFT JOIN scheme_rules AS s ON s.scheme = c.scheme
),
barred AS (
    -- The first barring list of the card's own scheme that holds the card, and from when.
    SELECT
        h.card_number,
        min(e.effective_from) AS barred_from,
        arg_min(e.list_code, e.effective_from) AS list_code
    FROM holders AS h
    JOIN exclusions AS e ON e.nik = h.nik
    JOIN scheme_lists AS l ON l.scheme = h.scheme AND l.list_code = e.list_code
    WHERE e.effective_from <= $day
    GROUP BY h.card_number
),
answered AS MATERIALIZED (
    SELECT p.*, h.wave, h.revoked_on, coalesce(h.sla_days, 1) AS sla_days
    FROM paired AS p
    LEFT JOIN holders AS h ON h.card_number = p.card_number
),
successes AS MATERIALIZED (
    -- Every SUCCESS of an issued instruction, ranked per entitlement: the first one pays it.
    SELECT
        a.*,
        row_number() OVER entitlement AS position,
        first_value(a.partner_txn_id) OVER entitlement AS first_txn_id,
        first_value(a.processed_on) OVER entitlement AS first_paid_on,
        b.barred_from,
        b.list_code
    FROM answered AS a
    LEFT JOIN barred AS b ON b.card_number = a.card_number
    WHERE a.status = 'SUCCESS' AND a.instruction_id IS NOT NULL
    WINDOW entitlement AS (
        PARTITION BY a.card_number, a.kind, a.tranche
        ORDER BY a.processed_at, a.partner_code, a.partner_txn_id
    )
),
failures AS (
    -- The latest failure of each entitlement that no attempt has paid yet.
    SELECT
        a.*,
        min(a.processed_on) OVER entitlement AS first_failed_on,
        row_number() OVER (
            PARTITION BY a.card_number, a.kind, a.tranche
            ORDER BY a.attempt DESC, a.processed_at DESC, a.partner_txn_id DESC
        ) AS recency
    FROM answered AS a
    ANTI JOIN (SELECT DISTINCT card_number, kind, tranche FROM successes) AS paid
        ON paid.card_number = a.card_number AND paid.kind = a.kind AND paid.tranche = a.tranche
    WHERE a.status = 'FAILED' AND a.instruction_id IS NOT NULL
    WINDOW entitlement AS (PARTITION BY a.card_number, a.kind, a.tranche)
),
success_breaks AS (
    -- The four breaks a SUCCESS can carry, each with its owner-facing reason.
    SELECT s.*, 'AMOUNT_MISMATCH' AS break_type,
        s.partner_code || ' credited ' || s.reported_amount_idr
        || ' where the instruction said ' || s.instructed_amount_idr AS reason
    FROM successes AS s
    WHERE s.reported_amount_idr <> s.instructed_amount_idr
    UNION ALL
    SELECT s.*, 'ACCOUNT_MISMATCH',
        s.partner_code || ' credited another account than the instruction named'
    FROM successes AS s
    WHERE s.credited_account_id <> s.instructed_account_id
    UNION ALL
    SELECT s.*, 'DUPLICATE_PAYMENT',
        'Entitlement already paid by ' || s.first_txn_id || ' on ' || s.first_paid_on
        || '; recover this second payment from the participant'
    FROM successes AS s
    WHERE s.position > 1
    UNION ALL
    SELECT s.*, 'INELIGIBLE_PAYMENT',
        CASE
            WHEN s.barred_from <= s.processed_on
                THEN 'Paid on ' || s.processed_on || ' while on the ' || s.list_code
                || ' list (from ' || s.barred_from || ')'
            ELSE 'Paid on ' || s.processed_on || ' on a card revoked on ' || s.revoked_on
        END
    FROM successes AS s
    WHERE s.barred_from <= s.processed_on OR s.revoked_on <= s.processed_on
)
SELECT
    'MISSING_RESULT' AS break_type,
    instruction_id AS break_key,
    partner_code,
    batch_id,
    instruction_id,
    NULL AS partner_txn_id,
    NULL AS voucher_code,
    card_number,
    kind AS incentive_kind,
    tranche,
    instructed_amount_idr AS expected_amount_idr,
    NULL AS reported_amount_idr,
    wave,
    created_on AS fact_on,
    partner_code || ' has sent no result for this instruction of ' || created_on
    || '; results are due within ' || sla_days || ' day(s)' AS reason
FROM answered
WHERE
    instruction_id IS NOT NULL
    AND partner_txn_id IS NULL
    AND NOT cancelled
    AND datediff('day', created_on, $day) > sla_days

UNION ALL
SELECT
    'FAILED_PAYMENT',
    card_number || '|' || kind || '|' || tranche,
    partner_code,
    batch_id,
    instruction_id,
    partner_txn_id,
    NULL,
    card_number,
    kind,
    tranche,
    instructed_amount_idr,
    reported_amount_idr,
    wave,
    first_failed_on,
    'Attempt ' || attempt || ' failed at ' || partner_code || ' ('
    || coalesce(failure_code, 'no failure code') || '); the participant must link a new account'
    || ' before a retry is sent'
FROM failures
WHERE recency = 1

UNION ALL
SELECT
    break_type,
    partner_code || '|' || partner_txn_id,
    partner_code,
    batch_id,
    instruction_id,
    partner_txn_id,
    NULL,
    card_number,
    kind,
    tranche,
    instructed_amount_idr,
    reported_amount_idr,
    wave,
    processed_on,
    reason
FROM success_breaks

UNION ALL
SELECT
    'UNKNOWN_PAYMENT',
    partner_code || '|' || partner_txn_id,
    partner_code,
    NULL,
    reported_instruction_id,
    partner_txn_id,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    reported_amount_idr,
    NULL,
    processed_on,
    partner_code || ' reported a ' || status || ' for an instruction the program never issued to it'
FROM answered
WHERE instruction_id IS NULL
