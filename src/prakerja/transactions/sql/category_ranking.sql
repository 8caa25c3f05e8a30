-- Participants per training category (a bundle counts under BUNDLE), most first.
WITH labelled AS (
    SELECT course_code,
           CASE WHEN count(*) > 1 THEN 'BUNDLE' ELSE min(category) END AS label
    FROM categories GROUP BY course_code
)
SELECT o.category, count(DISTINCT b.card_number) AS participants
FROM ordering AS o
LEFT JOIN labelled AS l ON l.label = o.category
LEFT JOIN bought AS b ON b.course_code = l.course_code
GROUP BY o.category, o.position
ORDER BY participants DESC, o.position
