SELECT survey_no, employment_status, count(*) AS answers
FROM answers
GROUP BY survey_no, employment_status
ORDER BY survey_no, answers DESC, employment_status
