-- Batch level: each batch's escrow debit against the sum of its instructions, a debit still
-- missing the day after the batch's next day, and debits for batches the program never made.
WITH sent AS (
    SELECT batch_id, sum(amount_idr) AS instructed
    FROM instructions
    WHERE created_on <= $day
    GROUP BY batch_id
),
debits AS (
    SELECT
        batch_id,
        sum(amount_idr) AS debited,
        min(statement_date) AS first_debit_on,
        min(counterparty_code) AS counterparty_code
    FROM bank_lines
    WHERE direction = 'DEBIT' AND statement_date <= $day AND batch_id IS NOT NULL
    GROUP BY batch_id
),
known AS (
    SELECT batch_id, partner_code, business_date
    FROM batches
    WHERE business_date <= $day
)
SELECT
    'BATCH_TOTAL_MISMATCH' AS break_type,
    k.batch_id AS break_key,
    k.partner_code,
    k.batch_id,
    NULL AS instruction_id,
    NULL AS partner_txn_id,
    NULL AS voucher_code,
    NULL AS card_number,
    NULL AS incentive_kind,
    NULL AS tranche,
    coalesce(s.instructed, 0) AS expected_amount_idr,
    d.debited AS reported_amount_idr,
    NULL AS wave,
    k.business_date AS fact_on,
    CASE
        WHEN d.debited IS NULL
            THEN 'The escrow bank shows no debit for this batch of ' || k.business_date
        ELSE 'The escrow debit (' || d.debited || ') differs from the batch''s instructions ('
        || coalesce(s.instructed, 0) || ')'
    END AS reason
FROM known AS k
LEFT JOIN sent AS s ON s.batch_id = k.batch_id
LEFT JOIN debits AS d ON d.batch_id = k.batch_id
WHERE
    (d.debited IS NULL AND datediff('day', k.business_date, $day) > 1)
    OR d.debited <> coalesce(s.instructed, 0)

UNION ALL
SELECT
    'BATCH_TOTAL_MISMATCH',
    d.batch_id,
    d.counterparty_code,
    d.batch_id,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    0,
    d.debited,
    NULL,
    d.first_debit_on,
    'The escrow bank debited ' || d.debited || ' for a batch the program never created'
FROM debits AS d
ANTI JOIN known AS k ON k.batch_id = d.batch_id
