UPDATE instructions
SET state = 'FAILED', result_at = f.f_at, result_txn_id = f.f_txn
FROM settle_facts f
WHERE instructions.instruction_id = f.instruction_id
  AND f.old_state = 'OPEN' AND f.state_a = 'FAILED'
