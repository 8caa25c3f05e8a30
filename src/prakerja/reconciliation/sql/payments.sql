-- The seven payment breaks, read from `paired` (paired.sql). Each branch finds the few rows
-- that break (by row ids); only those fetch their texts from `instructions`, `results` and
-- `cards` at the end. One row per break condition, in the columns of every engine query.
WITH successes AS NOT MATERIALIZED (
    SELECT * FROM paired WHERE issued AND succeeded
),
troubled AS (
    -- The entitlements answered more than once or with a failure: the only ones that can be
    -- paid twice or left failed, found with one pass over the answers.
    SELECT
        entitlement_id,
        count(*) FILTER (WHERE succeeded) AS successes,
        count(*) FILTER (WHERE NOT succeeded) AS failures
    FROM paired
    WHERE issued AND r_row IS NOT NULL
    GROUP BY entitlement_id
    HAVING count(*) > 1 OR bool_or(NOT succeeded)
),
answers AS (
    -- Every answer to a troubled entitlement, with the partner's transaction id for ranking.
    SELECT p.*, t.successes, r.partner_code, r.partner_txn_id
    FROM paired AS p
    JOIN troubled AS t ON t.entitlement_id = p.entitlement_id
    JOIN results AS r ON r.row_id = p.r_row
    WHERE p.issued
),
repeated AS (
    -- Every SUCCESS of an entitlement paid more than once, ranked: the first one pays it.
    SELECT
        a.*,
        row_number() OVER entitlement AS position,
        first_value(a.partner_txn_id) OVER entitlement AS first_txn_id,
        first_value(a.processed_on) OVER entitlement AS first_paid_on
    FROM answers AS a
    WHERE a.succeeded AND a.successes > 1
    WINDOW entitlement AS (
        PARTITION BY a.entitlement_id ORDER BY a.processed_at, a.partner_code, a.partner_txn_id
    )
),
failures AS (
    -- The latest failure of each entitlement that no attempt has paid yet.
    SELECT
        a.*,
        min(a.processed_on) OVER (PARTITION BY a.entitlement_id) AS first_failed_on,
        row_number() OVER (
            PARTITION BY a.entitlement_id
            ORDER BY a.attempt DESC, a.processed_at DESC, a.partner_txn_id DESC
        ) AS recency
    FROM answers AS a
    WHERE a.successes = 0
),
listed AS (
    -- Cards whose holder is on a barring list of the card's own scheme, and from when.
    SELECT
        c.card_number,
        min(e.effective_from) AS barred_from,
        arg_min(e.list_code, e.effective_from) AS list_code
    FROM cards AS c
    JOIN exclusions AS e ON e.nik = c.nik
    JOIN scheme_lists AS l ON l.scheme = c.scheme AND l.list_code = e.list_code
    WHERE e.effective_from <= $day
    GROUP BY c.card_number
),
unfit AS (
    SELECT
        coalesce(l.card_number, c.card_number) AS card_number,
        l.barred_from,
        l.list_code,
        c.revoked_on
    FROM listed AS l
    FULL OUTER JOIN (SELECT card_number, revoked_on FROM cards WHERE revoked_on <= $day) AS c
        ON c.card_number = l.card_number
),
unfit_instructions AS (
    SELECT i.row_id, u.barred_from, u.list_code, u.revoked_on
    FROM instructions AS i
    JOIN unfit AS u ON u.card_number = i.card_number
),
found AS (
    SELECT
        'MISSING_RESULT' AS break_type, i_row, r_row, created_on AS fact_on,
        NULL AS note, NULL::DATE AS note_on
    FROM paired
    WHERE
        issued AND r_row IS NULL AND NOT cancelled
        AND datediff('day', created_on, $day) > (SELECT coalesce(min(sla_days), 0) FROM scheme_rules)
    UNION ALL
    SELECT 'FAILED_PAYMENT', i_row, r_row, first_failed_on, NULL, NULL
    FROM failures
    WHERE recency = 1
    UNION ALL
    SELECT 'AMOUNT_MISMATCH', i_row, r_row, processed_on, NULL, NULL
    FROM successes
    WHERE reported_amount_idr <> instructed_amount_idr
    UNION ALL
    SELECT 'ACCOUNT_MISMATCH', i_row, r_row, processed_on, NULL, NULL
    FROM successes
    WHERE NOT same_account
    UNION ALL
    SELECT 'DUPLICATE_PAYMENT', i_row, r_row, processed_on, first_txn_id, first_paid_on
    FROM repeated
    WHERE position > 1
    UNION ALL
    SELECT 'UNKNOWN_PAYMENT', i_row, r_row, processed_on, NULL, NULL
    FROM paired
    WHERE NOT issued
    UNION ALL
    SELECT
        'INELIGIBLE_PAYMENT', s.i_row, s.r_row, s.processed_on,
        CASE WHEN u.barred_from <= s.processed_on THEN u.list_code END,
        CASE WHEN u.barred_from <= s.processed_on THEN u.barred_from ELSE u.revoked_on END
    FROM successes AS s
    JOIN unfit_instructions AS u ON u.row_id = s.i_row
    WHERE u.barred_from <= s.processed_on OR u.revoked_on <= s.processed_on
),
described AS (
    SELECT
        f.break_type,
        f.fact_on,
        f.note,
        f.note_on,
        coalesce(i.partner_code, r.partner_code) AS partner_code,
        i.batch_id,
        coalesce(i.instruction_id, r.instruction_id) AS instruction_id,
        r.partner_txn_id,
        i.card_number,
        i.kind,
        i.tranche,
        i.attempt,
        i.amount_idr AS expected_amount_idr,
        r.amount_idr AS reported_amount_idr,
        r.status,
        r.failure_code,
        c.wave,
        coalesce(s.sla_days, 1) AS sla_days
    FROM found AS f
    LEFT JOIN instructions AS i ON i.row_id = f.i_row
    LEFT JOIN results AS r ON r.row_id = f.r_row
    LEFT JOIN cards AS c ON c.card_number = i.card_number
    LEFT JOIN scheme_rules AS s ON s.scheme = c.scheme
)
SELECT
    break_type,
    CASE
        WHEN break_type = 'MISSING_RESULT' THEN instruction_id
        WHEN break_type = 'FAILED_PAYMENT' THEN card_number || '|' || kind || '|' || tranche
        ELSE partner_code || '|' || partner_txn_id
    END AS break_key,
    partner_code,
    batch_id,
    instruction_id,
    partner_txn_id,
    NULL AS voucher_code,
    card_number,
    kind AS incentive_kind,
    tranche,
    expected_amount_idr,
    reported_amount_idr,
    wave,
    fact_on,
    CASE break_type
        WHEN 'MISSING_RESULT'
            THEN partner_code || ' has sent no result for this instruction of ' || fact_on
            || '; results are due within ' || sla_days || ' day(s)'
        WHEN 'FAILED_PAYMENT'
            THEN 'Attempt ' || attempt || ' failed at ' || partner_code || ' ('
            || coalesce(failure_code, 'no failure code')
            || '); the participant must link a new account before a retry is sent'
        WHEN 'AMOUNT_MISMATCH'
            THEN partner_code || ' credited ' || reported_amount_idr
            || ' where the instruction said ' || expected_amount_idr
        WHEN 'ACCOUNT_MISMATCH'
            THEN partner_code || ' credited another account than the instruction named'
        WHEN 'DUPLICATE_PAYMENT'
            THEN 'Entitlement already paid by ' || note || ' on ' || note_on
            || '; recover this second payment from the participant'
        WHEN 'UNKNOWN_PAYMENT'
            THEN partner_code || ' reported a ' || status
            || ' for an instruction the program never issued to it'
        WHEN 'INELIGIBLE_PAYMENT'
            THEN CASE
                WHEN note IS NOT NULL
                    THEN 'Paid on ' || fact_on || ' while on the ' || note || ' list (from '
                    || note_on || ')'
                ELSE 'Paid on ' || fact_on || ' on a card revoked on ' || note_on
            END
    END AS reason
FROM described
WHERE break_type <> 'MISSING_RESULT' OR datediff('day', fact_on, $day) > sla_days
