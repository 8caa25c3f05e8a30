-- Vouchers created by this batch's purchases, with what else happened to them in the batch.
SELECT
    b.voucher_code, b.card_number, b.course_code, b.platform_code,
    b.eid AS purchase_event_id, b.purchased_at, b.purchased_on, b.amount_idr,
    m.completed_at, m.completed_on, m.certificate_no,
    m.reviewed_at, m.reviewed_on, m.rating,
    m.refunded_at, m.refunded_on
FROM bought AS b
LEFT JOIN milestones AS m USING (voucher_code)
ORDER BY b.voucher_code;
