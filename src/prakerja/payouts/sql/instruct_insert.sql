-- The day's instructions, each in its partner's latest batch of the day, open.
INSERT INTO instructions (
    instruction_id, batch_id, entitlement_id, card_number, kind, tranche, attempt,
    partner_code, account_id, beneficiary_name, amount_idr, created_on, created_at, state
)
SELECT
    p.instruction_id, b.batch_id, p.entitlement_id, p.card_number, p.kind, p.tranche,
    p.attempt, p.partner_code, p.account_id, p.beneficiary_name, p.amount_idr, :day, :now,
    :open
FROM ({planned}) p
JOIN payment_batches b
  ON b.partner_code = p.partner_code AND b.business_date = :day
 AND b.run_number = (
    SELECT max(l.run_number) FROM payment_batches l
    WHERE l.partner_code = p.partner_code AND l.business_date = :day
 )
