-- The day's instructions, each in its partner's latest batch of the day, open. An
-- instruction id is `INS-<card>-<PT|SV>-<tranche>-<attempt>` (two digits at least),
-- unique for ever: (card, kind, tranche) is an entitlement and (entitlement, attempt) one
-- attempt at it; `instruct_sent_ledger.sql` writes it the same way.
INSERT INTO instructions (
    instruction_id, batch_id, entitlement_id, card_number, kind, tranche, attempt,
    partner_code, account_id, beneficiary_name, amount_idr, created_on, created_at, state
)
SELECT
    'INS-' || p.card_number || '-'
    || CASE WHEN p.kind = :post_training THEN 'PT' ELSE 'SV' END || '-'
    || CASE WHEN p.tranche < 10 THEN '0' || CAST(p.tranche AS TEXT)
            ELSE CAST(p.tranche AS TEXT) END || '-'
    || CASE WHEN p.attempt < 10 THEN '0' || CAST(p.attempt AS TEXT)
            ELSE CAST(p.attempt AS TEXT) END,
    b.batch_id, p.entitlement_id, p.card_number, p.kind, p.tranche,
    p.attempt, p.partner_code, p.account_id, p.beneficiary_name, p.amount_idr, :day, :now,
    :open
FROM payout_plan p
JOIN payment_batches b
  ON b.partner_code = p.partner_code AND b.business_date = :day
 AND b.run_number = (
    SELECT max(l.run_number) FROM payment_batches l
    WHERE l.partner_code = p.partner_code AND l.business_date = :day
 )
