-- Purchases: an active card, a known course sold by this platform, a new voucher code, the
-- balance not expired, the first purchase by the card's deadline, enough balance. Cards whose
-- purchases in this batch overrun what they can spend are marked WALK (decided one by one).
CREATE OR REPLACE TEMP TABLE purchase_base AS
SELECT
    e.*,
    c.status, c.issued_on, c.purchase_deadline, c.balance_expires_on, c.balance_expired_on,
    c.first_purchase_on,
    c.balance_idr + coalesce(x.restored, 0) AS available_idr,
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
        WHEN v.voucher_code IS NOT NULL THEN 'REJECTED|voucher_code|the voucher code is already used'
        ELSE 'OK'
    END AS base_verdict
FROM events AS e
LEFT JOIN cards AS c USING (card_number)
LEFT JOIN courses AS co ON co.course_code = e.course_code
LEFT JOIN platforms AS pl ON pl.course_code = e.course_code AND pl.platform_code = e.platform_code
LEFT JOIN vouchers AS v ON v.voucher_code = e.voucher_code
LEFT JOIN (
    SELECT card_number, sum(voucher_amount) AS restored
    FROM early WHERE verdict = 'APPLIED||' GROUP BY card_number
) AS x ON x.card_number = e.card_number
WHERE e.event_type = 'PURCHASE';

CREATE OR REPLACE TEMP TABLE purchase_checks AS
WITH unique_codes AS (
    SELECT
        *,
        CASE
            WHEN base_verdict = 'OK' AND row_number() OVER (
                PARTITION BY voucher_code, base_verdict = 'OK' ORDER BY occurred_at, eid
            ) > 1 THEN 'REJECTED|voucher_code|the voucher code is already used'
            ELSE base_verdict
        END AS checked
    FROM purchase_base
),
windowed AS (
    SELECT
        *,
        sum(CASE WHEN checked = 'OK' THEN amount_idr ELSE 0 END)
            OVER (PARTITION BY card_number) AS spent,
        min(CASE WHEN checked = 'OK' THEN occurred_on END)
            OVER (PARTITION BY card_number) AS earliest
    FROM unique_codes
)
SELECT
    eid, card_number, occurred_at, occurred_on, amount_idr, available_idr, first_purchase_on,
    purchase_deadline,
    CASE
        WHEN checked <> 'OK' THEN 'REJECTED'
        WHEN spent > available_idr THEN 'WALK'
        WHEN first_purchase_on IS NULL AND earliest > purchase_deadline THEN 'REJECTED'
        ELSE 'APPLIED'
    END AS state,
    CASE
        WHEN checked <> 'OK' THEN checked
        WHEN spent > available_idr THEN NULL
        WHEN first_purchase_on IS NULL AND earliest > purchase_deadline
            THEN 'REJECTED|occurred_at|first purchase after the card''s deadline '
                || purchase_deadline
        ELSE 'APPLIED||'
    END AS verdict
FROM windowed;
