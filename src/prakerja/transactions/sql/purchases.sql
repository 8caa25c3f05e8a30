-- Purchases, all but the balance: an active card, a known course sold by this platform, a new
-- voucher code, the balance not expired. `balance.sql` then checks the balance and the
-- first-purchase deadline of the candidates (`checked` = 'OK', also in `candidates`).
CREATE OR REPLACE TEMP TABLE purchase_candidates AS
WITH base AS (
    SELECT
        e.eid, e.card_number, e.voucher_code, e.course_code, e.platform_code, e.amount_idr,
        e.occurred_at, e.occurred_on,
        c.purchase_deadline, c.first_purchase_on, c.balance_idr,
        CASE
            WHEN c.card_number IS NULL THEN 'REJECTED|card_number|unknown card'
            WHEN c.status <> 'ACTIVE' THEN 'REJECTED|card_number|the card is revoked'
            WHEN co.course_code IS NULL THEN 'REJECTED|course_code|unknown course'
            WHEN pl.course_code IS NULL
                THEN 'REJECTED|course_code|the course is not sold by ' || e.platform_code
            WHEN e.occurred_on < c.issued_on
                THEN 'REJECTED|occurred_at|before the card was issued on ' || c.issued_on
            WHEN c.balance_expired_on IS NOT NULL OR e.occurred_on > c.balance_expires_on
                THEN 'REJECTED|occurred_at|the training balance could be spent until '
                    || c.balance_expires_on
            WHEN v.voucher_code IS NOT NULL
                THEN 'REJECTED|voucher_code|the voucher code is already used'
            ELSE 'OK'
        END AS base_verdict
    FROM events AS e
    LEFT JOIN cards AS c USING (card_number)
    LEFT JOIN courses AS co ON co.course_code = e.course_code
    LEFT JOIN platforms AS pl
        ON pl.course_code = e.course_code AND pl.platform_code = e.platform_code
    LEFT JOIN vouchers AS v ON v.voucher_code = e.voucher_code
    WHERE e.event_type = 'PURCHASE'
)
SELECT
    *,
    CASE
        WHEN base_verdict = 'OK' AND row_number() OVER (
            PARTITION BY voucher_code, base_verdict = 'OK' ORDER BY occurred_at, eid
        ) > 1 THEN 'REJECTED|voucher_code|the voucher code is already used'
        ELSE base_verdict
    END AS checked
FROM base;

CREATE OR REPLACE TEMP TABLE candidates AS
SELECT
    voucher_code, card_number, course_code, platform_code, amount_idr,
    occurred_at AS purchased_at
FROM purchase_candidates
WHERE checked = 'OK';
