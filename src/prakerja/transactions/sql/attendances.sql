-- Sessions the platform reports attended, once per voucher and session.
SELECT
    d.voucher_code, d.sequence, 'PLATFORM' AS source, min(d.occurred_at) AS recorded_at
FROM dependent_base AS d
JOIN dependent_verdicts AS v USING (eid)
WHERE d.event_type = 'ATTENDANCE' AND v.verdict = 'APPLIED||'
GROUP BY d.voucher_code, d.sequence
ORDER BY d.voucher_code, d.sequence;
