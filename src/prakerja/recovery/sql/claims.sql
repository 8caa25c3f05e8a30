-- Every claim opened by $day with what was repaid on statements dated up to it: a
-- repayment counts for the claim whose id its batch id (EndToEndId) quotes, case and
-- surrounding spaces aside. REPAID once the repayments reach the amount (an over-payment is
-- kept, repaid > amount), OVERDUE after the due day, otherwise OPEN.
WITH paid AS (
    SELECT
        upper(trim(claim_id)) AS claim_id,
        sum(amount_idr) AS repaid_idr,
        count(*) AS repayments,
        max(statement_date) AS last_repaid_on
    FROM repayments
    WHERE statement_date <= $day AND claim_id IS NOT NULL
    GROUP BY upper(trim(claim_id))
)
SELECT
    c.claim_id,
    c.card_number,
    c.nik,
    c.amount_idr,
    coalesce(p.repaid_idr, 0) AS repaid_idr,
    c.opened_on,
    c.due_on,
    CASE
        WHEN coalesce(p.repaid_idr, 0) >= c.amount_idr THEN 'REPAID'
        WHEN $day > c.due_on THEN 'OVERDUE'
        ELSE 'OPEN'
    END AS status,
    c.break_id,
    c.instruction_id,
    c.partner_code,
    coalesce(p.repayments, 0) AS repayments,
    p.last_repaid_on,
    datediff('day', c.opened_on, $day) AS age_days
FROM claims AS c
LEFT JOIN paid AS p ON p.claim_id = c.claim_id
WHERE c.opened_on <= $day
ORDER BY c.opened_on, c.claim_id
