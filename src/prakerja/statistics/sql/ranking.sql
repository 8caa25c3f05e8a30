-- The categories by the number of participants whose first training is in them (a bundle
-- once, under BUNDLE), for wave $wave or every wave; every category present, ties in the
-- program's order (category_order.position). Rank is the row's position. $province (the
-- card's province code) narrows it further for the staff pages; the export never sets it.
WITH counted AS (
    SELECT k.ranked_as AS category, count(*) AS participants
    FROM first_training AS f
    JOIN cards AS c ON c.card_number = f.card_number
    JOIN course_kinds AS k ON k.course_code = f.course_code
    WHERE ($wave::INTEGER IS NULL OR c.wave = $wave::INTEGER)
        AND ($province::VARCHAR IS NULL OR c.province_code = $province::VARCHAR)
    GROUP BY k.ranked_as
)
SELECT
    row_number() OVER (ORDER BY coalesce(n.participants, 0) DESC, o.position) AS rank,
    o.category,
    coalesce(n.participants, 0) AS participants
FROM category_order AS o
LEFT JOIN counted AS n ON n.category = o.category
WHERE o.category <> 'ALL'
ORDER BY rank
