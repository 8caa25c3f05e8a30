SELECT
    survey_no,
    count(*) AS respondents,
    count(*) FILTER (WHERE started_business) AS started_business,
    count(*) FILTER (WHERE skills_improved) AS skills_improved,
    CAST(round(median(monthly_income_idr)) AS BIGINT) AS median_income_idr,
    CAST(round(avg(monthly_income_idr)) AS BIGINT) AS mean_income_idr
FROM answers
GROUP BY survey_no
ORDER BY survey_no
