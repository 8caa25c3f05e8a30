-- The movements to post (after ledger.service.LEDGER_INSERT).
SELECT
    'PAID:' || p.instruction_id, :paid_kind, :paid_out,
    CASE
        WHEN l.state_a = 'OPEN' THEN :settlement_prefix || l.partner_code
        WHEN l.state_a = 'FAILED' THEN :returned
        ELSE :payable
    END,
    p.amount_idr, p.s_on, p.instruction_id, :now
FROM settle_entitlements e
JOIN settle_first p ON p.entitlement_id = e.entitlement_id
JOIN settle_facts l ON l.entitlement_id = e.entitlement_id AND l.attempt = e.last_attempt
WHERE e.was_paid = 0 AND p.amount_idr > 0
ON CONFLICT (idempotency_key) DO NOTHING
