-- Live breaks whose condition no longer holds on the day:
--   RESOLVE  an open break: resolved by the facts (a result arrived, a retry succeeded)
--   LAPSE    a break an operator resolved: its condition cleared, so a new one will be new
SELECT
    CASE WHEN l.status = 'OPEN' THEN 'RESOLVE' ELSE 'LAPSE' END AS action,
    l.break_id,
    l.break_type
FROM live AS l
ANTI JOIN conditions AS c ON c.break_type = l.break_type AND c.break_key = l.break_key
ORDER BY l.break_id
