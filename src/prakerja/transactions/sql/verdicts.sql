-- Every judged event: state, the column at fault and the reason.
SELECT
    eid,
    split_part(verdict, '|', 1) AS state,
    nullif(split_part(verdict, '|', 2), '') AS "column",
    nullif(split_part(verdict, '|', 3), '') AS reason
FROM (
    SELECT eid, verdict FROM purchase_verdicts
    UNION ALL SELECT eid, verdict FROM refund_verdicts
    UNION ALL SELECT eid, verdict FROM dependent_verdicts
)
ORDER BY eid;
