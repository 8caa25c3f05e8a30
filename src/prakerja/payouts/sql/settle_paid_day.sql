UPDATE entitlements
SET paid_on = p.s_on
FROM settle_first p
WHERE entitlements.id = p.entitlement_id
  AND (entitlements.paid_on IS NULL OR entitlements.paid_on > p.s_on)
