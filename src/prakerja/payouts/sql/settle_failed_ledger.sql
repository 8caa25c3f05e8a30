-- The movements to post (after ledger.service.LEDGER_INSERT).
SELECT
    'FAILED:' || instruction_id, :failed_kind, :returned,
    :settlement_prefix || partner_code, amount_idr, f_on, instruction_id, :now
FROM settle_facts
WHERE old_state = 'OPEN' AND state_a = 'FAILED' AND was_paid = 0
ON CONFLICT (idempotency_key) DO NOTHING
