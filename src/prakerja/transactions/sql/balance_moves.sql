-- Training-balance movements: each purchase spends, each refund restores.
SELECT
    card_number, voucher_code, 'SPEND' AS direction, amount_idr, platform_code,
    purchased_on AS effective_on
FROM bought
UNION ALL
SELECT
    card_number, voucher_code, 'RESTORE', voucher_amount, voucher_platform, occurred_on
FROM refund_verdicts
WHERE verdict = 'APPLIED||'
ORDER BY voucher_code, direction DESC;
