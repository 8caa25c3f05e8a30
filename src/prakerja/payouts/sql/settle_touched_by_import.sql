CREATE TEMP TABLE settle_touched AS
SELECT DISTINCT i.entitlement_id
FROM partner_results n
JOIN instructions i ON i.instruction_id = n.instruction_id AND i.partner_code = n.partner_code
WHERE n.import_run_id = :run
