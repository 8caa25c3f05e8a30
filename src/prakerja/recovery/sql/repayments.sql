-- Every repayment line on statements dated up to $day, with the claim it is credited to:
-- the claim (opened by $day) whose id it quotes, or NULL when it names no known claim.
SELECT
    r.bank_ref,
    r.statement_date,
    r.amount_idr,
    r.claim_id AS quoted,
    c.claim_id,
    c.opened_on
FROM repayments AS r
LEFT JOIN claims AS c ON c.claim_id = upper(trim(r.claim_id)) AND c.opened_on <= $day
WHERE r.statement_date <= $day
ORDER BY r.statement_date, r.bank_ref
