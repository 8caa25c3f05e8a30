-- The ledger movements of balance moves: a spend from the card's training balance to the
-- platform's payable, a restore back; a restore to an expired balance goes on to the fund.
SELECT
    m.direction || ':' || m.voucher_code AS idempotency_key,
    CASE m.direction WHEN 'SPEND' THEN 'TRAINING_PURCHASE'
         ELSE 'TRAINING_REFUND' END AS entry_kind,
    CASE m.direction WHEN 'SPEND' THEN $payable || m.platform_code
         ELSE $balance || m.card_number
    END AS debit_account,
    CASE m.direction WHEN 'SPEND' THEN $balance || m.card_number
         ELSE $payable || m.platform_code
    END AS credit_account,
    m.amount_idr, m.effective_on, m.voucher_code AS reference
FROM moves AS m
UNION ALL
SELECT
    'EXPIRED_REFUND:' || m.voucher_code, 'BALANCE_EXPIRED',
    $fund,
    $balance || m.card_number,
    m.amount_idr, m.effective_on, m.voucher_code
FROM moves AS m JOIN cards AS c USING (card_number)
WHERE m.direction = 'RESTORE' AND c.balance_expired_on IS NOT NULL
