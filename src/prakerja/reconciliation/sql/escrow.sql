-- The escrow account (rekening dana) on the day, from the bank's statement lines:
-- opening balance + credits - debits = closing balance.
SELECT
    coalesce(sum(
        CASE
            WHEN statement_date < $day AND direction = 'CREDIT' THEN amount_idr
            WHEN statement_date < $day AND direction = 'DEBIT' THEN -amount_idr
        END
    ), 0) AS opening_idr,
    coalesce(sum(
        CASE WHEN statement_date = $day AND direction = 'CREDIT' THEN amount_idr END
    ), 0) AS credits_idr,
    coalesce(sum(
        CASE WHEN statement_date = $day AND direction = 'DEBIT' THEN amount_idr END
    ), 0) AS debits_idr
FROM bank_lines
WHERE statement_date <= $day
