-- SAME_PERSON: two or more NIKs holding cards (by $day) under the same full name (upper-case,
-- runs of white space made one, trimmed) and birth date. Held since the second card's issue.
-- Names borne by one card only are set aside before anything is listed.
WITH named AS (
    SELECT
        card_number,
        nik,
        trim(regexp_replace(upper(full_name), '[\s\pZ]+', ' ', 'g')) AS name,
        birth_date,
        issued_on
    FROM cards
    WHERE issued_on <= $day AND birth_date IS NOT NULL AND full_name IS NOT NULL
),
candidate AS (
    SELECT name, birth_date
    FROM named
    WHERE name <> ''
    GROUP BY name, birth_date
    HAVING count(*) >= 2
),
held AS (
    SELECT
        n.name,
        n.birth_date,
        count(DISTINCT n.nik) AS niks,
        list_sort(list(n.card_number)) AS cards,
        list_sort(list(n.issued_on))[2] AS since
    FROM named AS n
    SEMI JOIN candidate AS k ON k.name = n.name AND k.birth_date = n.birth_date
    GROUP BY n.name, n.birth_date
    HAVING count(DISTINCT n.nik) >= 2
)
SELECT
    'SAME_PERSON' AS signal_type,
    name || '|' || strftime(birth_date, '%Y-%m-%d') AS subject,
    array_to_string(cards, ';') AS card_numbers,
    since,
    niks || ' NIKs holding ' || len(cards) || ' cards carry the name ' || name || ' born '
        || strftime(birth_date, '%Y-%m-%d') || ' since ' || strftime(since, '%Y-%m-%d')
        AS evidence
FROM held
