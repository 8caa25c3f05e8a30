-- What this batch adds to vouchers bought before it.
SELECT
    m.voucher_code, m.completed_at, m.completed_on, m.certificate_no,
    m.reviewed_at, m.reviewed_on, m.rating, m.refunded_at, m.refunded_on
FROM milestones AS m
JOIN vouchers AS v USING (voucher_code)
ORDER BY m.voucher_code;
