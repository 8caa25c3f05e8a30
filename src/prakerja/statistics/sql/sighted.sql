-- The signals found on $day that were first seen by $day, with their first sighting, in the
-- contract's order of types, then by subject.
SELECT
    f.signal_id,
    f.signal_type,
    f.subject,
    f.card_numbers,
    s.first_seen_on,
    f.evidence
FROM found AS f
JOIN sightings AS s ON s.signal_id = f.signal_id
WHERE s.first_seen_on <= $day
ORDER BY
    CASE f.signal_type
        WHEN 'SHARED_ACCOUNT' THEN 1
        WHEN 'SHARED_PHONE' THEN 2
        WHEN 'FAST_COMPLETION' THEN 3
        ELSE 4
    END,
    f.subject
