-- The vouchers already bought and those of `$bought` (bought in this batch, or candidates),
-- as `$out`.
CREATE OR REPLACE TEMP TABLE $out AS
SELECT
    voucher_code, card_number, course_code, platform_code, amount_idr, purchased_at, completed,
    refunded_at
FROM vouchers
UNION ALL
SELECT
    voucher_code, card_number, course_code, platform_code, amount_idr, purchased_at, false,
    NULL::TIMESTAMPTZ
FROM $bought;
