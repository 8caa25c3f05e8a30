SELECT survey_no, lower(trim(business_type)) AS business_type, count(*) AS answers
FROM answers
WHERE started_business AND coalesce(trim(business_type), '') <> ''
GROUP BY survey_no, lower(trim(business_type))
ORDER BY survey_no, answers DESC, business_type
