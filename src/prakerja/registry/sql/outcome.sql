-- One outcome and reason per applicant, in the contract's order of precedence.
WITH won AS (
    SELECT j.kk_number, count(*) AS cards FROM judged j JOIN winners w USING (registration_id)
    GROUP BY j.kk_number
)
SELECT
    j.registration_id,
    CASE
        WHEN w.registration_id IS NOT NULL THEN $selected
        ELSE $not_selected
    END AS outcome,
    CASE
        WHEN w.registration_id IS NOT NULL THEN NULL
        WHEN j.pre_reason IS NOT NULL THEN j.pre_reason
        WHEN j.prior_cards + coalesce(n.cards, 0) >= $limit THEN 'INELIGIBLE_FAMILY_LIMIT'
        WHEN j.post_reason IS NOT NULL THEN j.post_reason
        ELSE 'QUOTA_FULL'
    END AS reason
FROM judged j
LEFT JOIN winners w USING (registration_id)
LEFT JOIN won n ON n.kk_number = j.kk_number
ORDER BY j.registration_id
