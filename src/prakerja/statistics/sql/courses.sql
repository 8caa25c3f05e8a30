-- Each course with its purchases, completions, the median hours participants took and how
-- many completed sooner than the course's hours. Reads `bought` (bought.sql).
SELECT
    k.course_code,
    k.title,
    k.provider_code,
    k.hours,
    count(b.course_code) AS purchased,
    count(*) FILTER (WHERE b.completed) AS completed,
    median(b.hours_taken) AS median_hours_taken,
    count(*) FILTER (WHERE b.hours_taken < k.hours) AS sooner_than_hours
FROM courses AS k
LEFT JOIN bought AS b ON b.course_code = k.course_code
GROUP BY k.course_code, k.title, k.provider_code, k.hours
ORDER BY k.provider_code, k.course_code
