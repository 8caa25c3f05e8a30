-- Purchase verdicts (set-based and walked), the vouchers they create (`bought`), and the
-- vouchers whose purchase was refused.
CREATE OR REPLACE TEMP TABLE purchase_verdicts AS
SELECT eid, verdict FROM purchase_checks WHERE state <> 'WALK'
UNION ALL
SELECT eid, state || '|' || coalesce("column", '') || '|' || coalesce(reason, '') FROM walked;

CREATE OR REPLACE TEMP TABLE bought AS
SELECT
    e.voucher_code, e.card_number, e.course_code, e.platform_code, e.amount_idr,
    e.occurred_at AS purchased_at, e.occurred_on AS purchased_on, e.eid
FROM purchase_verdicts AS pv
JOIN events AS e USING (eid)
WHERE pv.verdict = 'APPLIED||';

CREATE OR REPLACE TEMP TABLE refused_all AS
SELECT voucher_code FROM refused
UNION
SELECT e.voucher_code
FROM purchase_verdicts AS pv JOIN events AS e USING (eid)
WHERE pv.verdict LIKE 'REJECTED%'
EXCEPT
(SELECT voucher_code FROM vouchers UNION ALL SELECT voucher_code FROM bought);
