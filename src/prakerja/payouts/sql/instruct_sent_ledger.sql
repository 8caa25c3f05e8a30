-- The movements to post (after ledger.service.LEDGER_INSERT): each instructed amount from
-- incentives payable (or returned, for a retry) to its partner's settlement account.
SELECT
    'SENT:' || p.instruction_id, :instructed_kind, :settlement_prefix || p.partner_code,
    CASE WHEN p.retried = 1 THEN :returned ELSE :payable END,
    p.amount_idr, :day, p.instruction_id, :now
FROM ({planned}) p
WHERE p.amount_idr > 0
ON CONFLICT (idempotency_key) DO NOTHING
