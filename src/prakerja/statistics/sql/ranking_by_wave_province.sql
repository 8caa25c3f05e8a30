-- Participants by wave, province of the card and ranking category of their first training.
SELECT c.wave, c.province_code, k.ranked_as AS category, count(*) AS participants
FROM first_training AS f
JOIN cards AS c ON c.card_number = f.card_number
JOIN course_kinds AS k ON k.course_code = f.course_code
GROUP BY c.wave, c.province_code, k.ranked_as
ORDER BY c.wave, c.province_code, k.ranked_as
