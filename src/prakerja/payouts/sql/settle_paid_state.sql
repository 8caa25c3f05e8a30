UPDATE instructions
SET state = 'SUCCEEDED', result_at = p.s_at, result_txn_id = p.s_txn
FROM settle_paying p
WHERE instructions.instruction_id = p.instruction_id
