-- First completion, first review and the refund of each voucher, from applied events.
CREATE OR REPLACE TEMP TABLE milestones AS
WITH applied AS (
    SELECT d.* FROM dependent_base AS d
    JOIN dependent_verdicts AS v USING (eid)
    WHERE v.verdict = 'APPLIED||'
),
completed AS (
    SELECT
        voucher_code, min(occurred_at) AS completed_at,
        arg_min(occurred_on, occurred_at) AS completed_on,
        arg_min(certificate_no, occurred_at) AS certificate_no
    FROM applied WHERE event_type = 'COMPLETION' GROUP BY voucher_code
),
reviewed AS (
    SELECT
        voucher_code, min(occurred_at) AS reviewed_at,
        arg_min(occurred_on, occurred_at) AS reviewed_on,
        arg_min(rating, occurred_at) AS rating
    FROM applied WHERE event_type = 'REVIEW' GROUP BY voucher_code
),
refunded AS (
    SELECT voucher_code, occurred_at AS refunded_at, occurred_on AS refunded_on
    FROM refund_verdicts WHERE verdict = 'APPLIED||'
)
SELECT * FROM completed
FULL JOIN reviewed USING (voucher_code)
FULL JOIN refunded USING (voucher_code);
