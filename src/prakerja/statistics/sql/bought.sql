-- Every purchase known on $day and not refunded by then, with whether it was completed by $day
-- and the hours from purchase to completion (occurred_at to occurred_at).
SELECT
    v.course_code,
    k.provider_code,
    k.hours,
    coalesce(v.completed_on <= $day, false) AS completed,
    CASE
        WHEN v.completed_on <= $day
            THEN (epoch_us(v.completed_at) - epoch_us(v.purchased_at)) / 3600000000.0
    END AS hours_taken
FROM vouchers AS v
JOIN courses AS k ON k.course_code = v.course_code
WHERE v.purchased_on <= $day AND (v.refunded_on IS NULL OR v.refunded_on > $day)
