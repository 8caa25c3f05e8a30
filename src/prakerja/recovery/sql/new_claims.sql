-- The claims to open: one per INELIGIBLE_PAYMENT break (`breaks`) whose payment has no claim
-- yet (`claimed`), for the amount the payment credited, due $days days after the break was
-- detected. A payment broken twice (a second occurrence of its break) is claimed once, from
-- its earliest break. The claim id is the break's own hash under the prefix REC- (20
-- characters, within the 35 of an ISO 20022 EndToEndId).
SELECT
    'REC-' || substr(b.break_id, 5) AS claim_id,
    b.break_id,
    b.partner_code,
    b.partner_txn_id,
    b.instruction_id,
    b.card_number,
    h.nik,
    b.reported_amount_idr AS amount_idr,
    b.detected_on AS opened_on,
    CAST(b.detected_on + to_days(CAST($days AS INTEGER)) AS DATE) AS due_on
FROM breaks AS b
JOIN holders AS h ON h.card_number = b.card_number
WHERE
    b.reported_amount_idr > 0
    AND NOT EXISTS (SELECT 1 FROM claimed AS c WHERE c.break_id = b.break_id)
    AND NOT EXISTS (
        SELECT 1 FROM claimed AS c
        WHERE c.partner_code = b.partner_code AND c.partner_txn_id = b.partner_txn_id
    )
QUALIFY row_number() OVER (
    PARTITION BY b.partner_code, b.partner_txn_id ORDER BY b.detected_on, b.break_id
) = 1
ORDER BY claim_id
