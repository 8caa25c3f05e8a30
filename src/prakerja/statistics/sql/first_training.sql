-- Each card's first training as known on $day: its earliest purchase (by occurred_at, then
-- voucher code) dated by $day and not refunded by $day. A refund dated later is not yet known.
SELECT card_number, voucher_code, course_code
FROM (
    SELECT
        card_number,
        voucher_code,
        course_code,
        row_number() OVER (
            PARTITION BY card_number ORDER BY purchased_at, voucher_code
        ) AS position
    FROM vouchers
    WHERE purchased_on <= $day AND (refunded_on IS NULL OR refunded_on > $day)
) AS live
WHERE position = 1
