-- The movements to post (after ledger.service.LEDGER_INSERT): each instructed amount from
-- incentives payable (or returned, for a retry) to its partner's settlement account.
SELECT
    'SENT:' || 'INS-' || p.card_number || '-'
    || CASE WHEN p.kind = :post_training THEN 'PT' ELSE 'SV' END || '-'
    || CASE WHEN p.tranche < 10 THEN '0' || CAST(p.tranche AS TEXT)
            ELSE CAST(p.tranche AS TEXT) END || '-'
    || CASE WHEN p.attempt < 10 THEN '0' || CAST(p.attempt AS TEXT)
            ELSE CAST(p.attempt AS TEXT) END,
    :instructed_kind, :settlement_prefix || p.partner_code,
    CASE WHEN p.retried = 1 THEN :returned ELSE :payable END,
    p.amount_idr, :day,
    'INS-' || p.card_number || '-'
    || CASE WHEN p.kind = :post_training THEN 'PT' ELSE 'SV' END || '-'
    || CASE WHEN p.tranche < 10 THEN '0' || CAST(p.tranche AS TEXT)
            ELSE CAST(p.tranche AS TEXT) END || '-'
    || CASE WHEN p.attempt < 10 THEN '0' || CAST(p.attempt AS TEXT)
            ELSE CAST(p.attempt AS TEXT) END,
    :now
FROM payout_plan p
WHERE p.amount_idr > 0
ON CONFLICT (idempotency_key) DO NOTHING
