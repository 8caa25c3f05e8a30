-- FAST_COMPLETION: a training completed (by $day) sooner after its purchase, occurred_at to
-- occurred_at, than the course's hours. Exactly the course's hours is not sooner.
WITH taken AS (
    SELECT
        v.voucher_code,
        v.card_number,
        v.course_code,
        v.completed_on,
        k.hours,
        epoch_us(v.completed_at) - epoch_us(v.purchased_at) AS taken_us
    FROM vouchers AS v
    JOIN courses AS k ON k.course_code = v.course_code
    WHERE v.completed_on <= $day
)
SELECT
    'FAST_COMPLETION' AS signal_type,
    voucher_code AS subject,
    card_number AS card_numbers,
    completed_on AS since,
    'course ' || course_code || ' of ' || hours || ' hours completed '
        || (taken_us // 60000000) || ' minutes after its purchase, on '
        || strftime(completed_on, '%Y-%m-%d') AS evidence
FROM taken
WHERE taken_us < CAST(hours AS BIGINT) * 3600000000
