-- Each course's ranking category: its one category, or BUNDLE when it has several.
SELECT
    course_code,
    CASE WHEN count(*) > 1 THEN 'BUNDLE' ELSE min(category) END AS ranked_as
FROM course_categories
GROUP BY course_code
