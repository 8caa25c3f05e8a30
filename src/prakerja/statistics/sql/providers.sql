-- Each training provider with its purchases, completions, the median share of the course's
-- hours its participants took, and how many completed sooner than the hours. Reads `bought`.
SELECT
    k.provider_code,
    k.provider_name,
    count(DISTINCT k.course_code) AS courses,
    count(b.course_code) AS purchased,
    count(*) FILTER (WHERE b.completed) AS completed,
    median(b.hours_taken / nullif(b.hours, 0)) AS median_share_of_hours,
    count(*) FILTER (WHERE b.hours_taken < b.hours) AS sooner_than_hours
FROM courses AS k
LEFT JOIN bought AS b ON b.course_code = k.course_code
GROUP BY k.provider_code, k.provider_name
ORDER BY k.provider_code
