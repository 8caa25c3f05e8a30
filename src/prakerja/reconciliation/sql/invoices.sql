-- The three invoice breaks: a line is payable only for a voucher purchased from that platform,
-- redeemed by the training provider, attended (every session of a webinar or offline course,
-- the completion of a self-paced one) and not refunded, at the purchase price, once.
-- A provider's commit (redemption, a session it delivered) is real time: it counts once it
-- has arrived, whatever the day reconciled; the platforms' facts count from their own day.
WITH lines AS (
    SELECT * FROM invoices WHERE invoiced_on <= $day
),
known_vouchers AS (
    SELECT
        v.voucher_code,
        v.platform_code,
        v.amount_idr AS price,
        v.redeemed_on IS NOT NULL AS redeemed,
        coalesce(v.completed_on <= $day, false) AS completed,
        v.refunded_on,
        coalesce(v.refunded_on <= $day, false) AS refunded,
        c.course_type,
        c.sessions
    FROM vouchers AS v
    LEFT JOIN courses AS c ON c.course_code = v.course_code
    WHERE v.purchased_on <= $day
),
attended_sessions AS (
    SELECT a.voucher_code, count(DISTINCT a.sequence) AS sessions_attended
    FROM attendances AS a
    JOIN known_vouchers AS v ON v.voucher_code = a.voucher_code
    WHERE (a.source = 'PROVIDER' OR a.attended_on <= $day) AND a.sequence BETWEEN 1 AND v.sessions
    GROUP BY a.voucher_code
),
judged AS (
    SELECT
        l.*,
        v.price,
        coalesce(v.platform_code = l.platform_code, false) AS purchased,
        v.redeemed,
        v.refunded,
        v.refunded_on,
        v.course_type,
        v.sessions,
        coalesce(s.sessions_attended, 0) AS sessions_attended,
        CASE
            WHEN v.course_type = 'SELF_PACED' THEN v.completed
            WHEN v.course_type IN ('WEBINAR', 'OFFLINE')
                THEN coalesce(s.sessions_attended, 0) >= v.sessions
            ELSE false
        END AS attended,
        row_number() OVER (
            PARTITION BY l.voucher_code ORDER BY l.invoiced_on, l.invoice_no, l.platform_code
        ) AS position,
        first_value(l.invoice_no) OVER (
            PARTITION BY l.voucher_code ORDER BY l.invoiced_on, l.invoice_no, l.platform_code
        ) AS first_invoice_no
    FROM lines AS l
    LEFT JOIN known_vouchers AS v ON v.voucher_code = l.voucher_code
    LEFT JOIN attended_sessions AS s ON s.voucher_code = l.voucher_code
),
line_breaks AS (
    SELECT j.*, 'INVOICE_NOT_PAYABLE' AS break_type,
        CASE WHEN j.purchased THEN j.price END AS expected_amount_idr,
        CASE
            WHEN NOT j.purchased THEN 'The voucher was never purchased from ' || j.platform_code
            WHEN j.refunded THEN 'The voucher was refunded on ' || j.refunded_on
            WHEN NOT j.redeemed THEN 'The training provider never redeemed the voucher'
            WHEN j.course_type IS NULL THEN 'The course is not in the catalog'
            WHEN j.course_type = 'SELF_PACED' THEN 'The self-paced course is not completed'
            ELSE 'Attended ' || j.sessions_attended || ' of ' || j.sessions || ' sessions'
        END AS reason
    FROM judged AS j
    WHERE NOT j.purchased OR j.refunded OR NOT j.redeemed OR NOT j.attended
    UNION ALL
    SELECT j.*, 'INVOICE_AMOUNT_MISMATCH', j.price,
        'Invoiced ' || j.amount_idr || ' for a voucher purchased at ' || j.price
    FROM judged AS j
    WHERE j.purchased AND j.amount_idr <> j.price
    UNION ALL
    SELECT j.*, 'DUPLICATE_INVOICE', j.price,
        'The voucher was already invoiced on ' || j.first_invoice_no
    FROM judged AS j
    WHERE j.position > 1
)
SELECT
    break_type,
    platform_code || '|' || invoice_no || '|' || voucher_code AS break_key,
    platform_code AS partner_code,
    invoice_no AS batch_id,
    NULL AS instruction_id,
    NULL AS partner_txn_id,
    voucher_code,
    NULL AS card_number,
    NULL AS incentive_kind,
    NULL AS tranche,
    expected_amount_idr,
    amount_idr AS reported_amount_idr,
    NULL AS wave,
    invoiced_on AS fact_on,
    reason
FROM line_breaks
