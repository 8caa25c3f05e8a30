-- Refunds against `$vouchers` (a voucher is refunded once, by its own card and platform, for
-- its purchase amount); the result goes to `$out`. `voucher_purchased_at` places the refund
-- on its card's balance timeline (never before its own purchase).
CREATE OR REPLACE TEMP TABLE $out AS
WITH base AS (
    SELECT
        e.eid, e.voucher_code, e.card_number, e.occurred_at, e.occurred_on,
        k.platform_code AS voucher_platform, k.amount_idr AS voucher_amount,
        k.purchased_at AS voucher_purchased_at,
        CASE
            WHEN k.voucher_code IS NULL AND f.voucher_code IS NOT NULL
                THEN 'REJECTED|voucher_code|the voucher''s purchase was refused'
            WHEN k.voucher_code IS NULL THEN 'PENDING||waiting for the purchase'
            WHEN e.card_number <> k.card_number
                THEN 'REJECTED|card_number|the voucher belongs to another card'
            WHEN e.platform_code <> k.platform_code
                THEN 'REJECTED|platform_code|the voucher was sold by ' || k.platform_code
            WHEN e.course_code IS NOT NULL AND e.course_code <> k.course_code
                THEN 'REJECTED|course_code|the voucher is for course ' || k.course_code
            WHEN k.refunded_at IS NOT NULL
                THEN 'REJECTED|voucher_code|the voucher is already refunded'
            WHEN e.amount_idr <> k.amount_idr
                THEN 'REJECTED|amount_idr|differs from the purchase amount ' || k.amount_idr
            ELSE 'APPLIED||'
        END AS base_verdict
    FROM events AS e
    LEFT JOIN $vouchers AS k USING (voucher_code)
    LEFT JOIN refused_all AS f USING (voucher_code)
    WHERE e.event_type = 'REFUND'
)
SELECT
    eid, voucher_code, card_number, occurred_at, occurred_on, voucher_platform, voucher_amount,
    voucher_purchased_at,
    CASE
        WHEN base_verdict = 'APPLIED||' AND row_number() OVER (
            PARTITION BY voucher_code, base_verdict = 'APPLIED||' ORDER BY occurred_at, eid
        ) > 1 THEN 'REJECTED|voucher_code|the voucher is already refunded'
        ELSE base_verdict
    END AS verdict
FROM base;
