-- Each planned payment with its instruction id, `INS-<card>-<PT|SV>-<tranche>-<attempt>`,
-- unique for ever: (card, kind, tranche) is an entitlement and (entitlement, attempt) one
-- attempt at it. Numbers are written with two digits at least.
SELECT
    p.*,
    'INS-' || p.card_number || '-'
    || CASE WHEN p.kind = :post_training THEN 'PT' ELSE 'SV' END || '-'
    || CASE WHEN p.tranche < 10 THEN '0' || CAST(p.tranche AS TEXT)
            ELSE CAST(p.tranche AS TEXT) END || '-'
    || CASE WHEN p.attempt < 10 THEN '0' || CAST(p.attempt AS TEXT)
            ELSE CAST(p.attempt AS TEXT) END AS instruction_id
FROM payout_plan p
