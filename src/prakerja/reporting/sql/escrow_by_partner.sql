-- The escrow account's movements per counterparty: up to the day, and on the day itself.
SELECT
    counterparty_code,
    coalesce(sum(amount_idr) FILTER (WHERE direction = 'DEBIT'), 0) AS debits_idr,
    coalesce(sum(amount_idr) FILTER (WHERE direction = 'CREDIT'), 0) AS credits_idr,
    coalesce(sum(amount_idr) FILTER (WHERE direction = 'DEBIT' AND statement_date = $day), 0)
        AS debits_today_idr,
    coalesce(sum(amount_idr) FILTER (WHERE direction = 'CREDIT' AND statement_date = $day), 0)
        AS credits_today_idr
FROM bank_lines
WHERE statement_date <= $day
GROUP BY counterparty_code
ORDER BY counterparty_code
