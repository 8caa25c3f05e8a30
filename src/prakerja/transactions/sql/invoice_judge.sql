-- Judge every invoice line of a voucher, stored and new: the first line (by invoice date,
-- number, platform) is judged by the voucher, every later one is a DUPLICATE.
WITH incoming AS (
    SELECT * FROM new_lines AS n
    WHERE NOT EXISTS (
        SELECT 1 FROM stored AS s
        WHERE s.platform_code = n.platform_code AND s.invoice_no = n.invoice_no
          AND s.voucher_code = n.voucher_code
    )
),
all_lines AS (
    SELECT id, platform_code, invoice_no, voucher_code, invoiced_on, reason, NULL AS _row
    FROM stored
    UNION ALL
    SELECT NULL, platform_code, invoice_no, voucher_code, invoiced_on, NULL, _row FROM incoming
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY voucher_code ORDER BY invoiced_on, invoice_no, platform_code
    ) AS position
    FROM all_lines
)
SELECT
    r.id, r._row, r.reason AS old_reason,
    CASE
        WHEN r.position > 1 THEN 'DUPLICATE'
        WHEN v.voucher_code IS NULL THEN 'NOT_PURCHASED'
        WHEN v.platform_code <> r.platform_code THEN 'OTHER_PLATFORM'
        WHEN v.refunded THEN 'REFUNDED'
        WHEN NOT v.redeemed THEN 'NOT_REDEEMED'
        WHEN c.course_type = 'SELF_PACED' AND NOT v.completed THEN 'NOT_ATTENDED'
        WHEN c.course_type <> 'SELF_PACED' AND v.attended < c.sessions
            THEN 'NOT_ATTENDED'
        WHEN n.amount_idr IS NOT NULL AND n.amount_idr <> v.amount_idr
            THEN 'AMOUNT_MISMATCH'
    END AS reason
FROM ranked AS r
LEFT JOIN incoming AS n ON n._row = r._row
LEFT JOIN vouchers AS v ON v.voucher_code = r.voucher_code
LEFT JOIN courses AS c ON c.course_code = v.course_code
