-- Judge each applicant: reasons before the family limit (pre_reason), after it
-- (post_reason), the pool it competes in, and its lottery position.
WITH listed AS (
    SELECT b.nik, min(l.position) AS position
    FROM barred b JOIN list_order l ON l.list_code = b.list_code
    GROUP BY b.nik
),
prior_family AS (
    SELECT a.registration_id, count(p.nik) AS prior_cards
    FROM applicants a JOIN prior p ON p.kk_number = a.kk_number AND p.nik <> a.nik
    GROUP BY a.registration_id
),
judged AS (
    SELECT
        a.registration_id, a.nik, a.kk_number, a.registered_at,
        CASE
            WHEN NOT a.nik_ok THEN 'INELIGIBLE_NIK'
            WHEN a.age < $min_age OR ($max_age IS NOT NULL AND a.age > $max_age)
                THEN 'INELIGIBLE_AGE'
        END AS pre_reason,
        CASE
            WHEN a.nik IN (SELECT nik FROM prior) THEN 'INELIGIBLE_ALREADY_ACCEPTED'
            WHEN $income_cap IS NOT NULL
                 AND (a.monthly_income_idr IS NULL OR a.monthly_income_idr > $income_cap)
                THEN 'INELIGIBLE_INCOME'
            WHEN l.position IS NOT NULL
                THEN $list_prefix || (SELECT list_code FROM list_order WHERE position = l.position)
        END AS post_reason,
        coalesce(f.prior_cards, 0) AS prior_cards,
        CASE
            WHEN a.province_code IN (SELECT pool FROM places) THEN a.province_code
            WHEN '*' IN (SELECT pool FROM places) THEN '*'
        END AS pool,
        a.employment_status IN (SELECT status FROM hit_workers) AS hit,
        sha256($seed || ':' || $wave || ':' || a.nik) AS lottery
    FROM applicants a
    LEFT JOIN listed l ON l.nik = a.nik
    LEFT JOIN prior_family f ON f.registration_id = a.registration_id
)
SELECT
    *,
    pre_reason IS NULL AND post_reason IS NULL AS candidate,
    row_number() OVER (
        PARTITION BY kk_number, (pre_reason IS NULL AND post_reason IS NULL)
        ORDER BY registered_at NULLS LAST, nik
    ) AS family_rank,
    row_number() OVER (
        PARTITION BY pool, (pre_reason IS NULL AND post_reason IS NULL)
        ORDER BY hit DESC, lottery
    ) AS pool_rank
FROM judged
