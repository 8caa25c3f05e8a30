-- The tracking-survey results by category of the respondent's first training: a bundle under
-- BUNDLE and under each of its categories, ALL once per respondent. ALL is present for every
-- survey number of every scheme in use; another (category, survey) only with a respondent.
-- The median of an even count is the mean of the two middle incomes, rounded half up.
WITH respondent AS (
    SELECT
        card_number,
        survey_no,
        coalesce(employment_status IN ('EMPLOYED', 'INFORMAL', 'MICRO_BUSINESS'), false)
            AS employed,
        coalesce(started_business, false) AS started_business,
        coalesce(skills_improved, false) AS skills_improved,
        monthly_income_idr
    FROM answers
    WHERE submitted_on <= $day
),
training_category AS (
    SELECT course_code, category FROM course_categories
    UNION
    SELECT course_code, ranked_as FROM course_kinds WHERE ranked_as = 'BUNDLE'
),
placed AS (
    SELECT r.*, 'ALL' AS category FROM respondent AS r
    UNION ALL
    SELECT r.*, t.category
    FROM respondent AS r
    JOIN first_training AS f ON f.card_number = r.card_number
    JOIN training_category AS t ON t.course_code = f.course_code
),
counted AS (
    SELECT
        category,
        survey_no,
        count(*) AS respondents,
        count(*) FILTER (WHERE employed) AS employed,
        count(*) FILTER (WHERE started_business) AS started_business,
        count(*) FILTER (WHERE skills_improved) AS skills_improved,
        CAST(floor(quantile_cont(monthly_income_idr, 0.5) + 0.5) AS BIGINT)
            AS median_monthly_income_idr
    FROM placed
    GROUP BY category, survey_no
),
survey_numbers AS (
    SELECT DISTINCT unnest(range(1, s.surveys + 1)) AS survey_no
    FROM waves AS w
    JOIN scheme_surveys AS s ON s.scheme = w.scheme
),
keyed AS (
    SELECT category, survey_no FROM counted
    UNION
    SELECT 'ALL', survey_no FROM survey_numbers
)
SELECT
    k.category,
    k.survey_no,
    coalesce(c.respondents, 0) AS respondents,
    coalesce(c.employed, 0) AS employed,
    coalesce(c.started_business, 0) AS started_business,
    coalesce(c.skills_improved, 0) AS skills_improved,
    c.median_monthly_income_idr
FROM keyed AS k
LEFT JOIN counted AS c ON c.category = k.category AND c.survey_no = k.survey_no
JOIN category_order AS o ON o.category = k.category
ORDER BY k.survey_no, o.position
