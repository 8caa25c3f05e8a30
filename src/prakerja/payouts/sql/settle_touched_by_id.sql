CREATE TEMP TABLE settle_touched AS
SELECT id AS entitlement_id FROM entitlements WHERE id IN :ids
