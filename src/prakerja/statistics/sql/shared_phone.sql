-- SHARED_PHONE: one phone number (08... and +628... the same) on registrations of three or
-- more NIKs that hold cards by $day. Held since the third NIK both registered it and held a
-- card. Numbers on fewer than three registrations are set aside before anything is listed.
-- The import keeps only phones written 08... or +62... (digits after), so the number is read
-- by its prefix alone.
WITH normal AS (
    SELECT
        nik,
        registered_on,
        CASE
            WHEN raw LIKE '+%' THEN raw
            WHEN raw LIKE '62%' THEN '+' || raw
            WHEN raw LIKE '0%' THEN '+62' || substr(raw, 2)
            ELSE '+62' || raw
        END AS subject
    FROM (
        SELECT
            nik,
            trim(phone) AS raw,
            DATE '1970-01-01'
                + CAST(floor((epoch(registered_at) + 25200) / 86400) AS INTEGER) AS registered_on
        FROM phones
    ) AS written
    WHERE (registered_on IS NULL OR registered_on <= $day) AND length(raw) > 1
),
candidate AS (
    SELECT subject FROM normal GROUP BY subject HAVING count(*) >= 3
),
holders AS (
    SELECT
        n.subject,
        n.nik,
        c.card_number,
        greatest(coalesce(min(n.registered_on), c.issued_on), c.issued_on) AS held_on
    FROM normal AS n
    SEMI JOIN candidate AS k ON k.subject = n.subject
    JOIN cards AS c ON c.nik = n.nik
    GROUP BY n.subject, n.nik, c.card_number, c.issued_on
),
held AS (
    SELECT
        subject,
        count(DISTINCT nik) AS niks,
        list_sort(list(card_number)) AS cards,
        list_sort(list(held_on))[3] AS since
    FROM holders
    GROUP BY subject
    HAVING count(DISTINCT nik) >= 3
)
SELECT
    'SHARED_PHONE' AS signal_type,
    subject,
    array_to_string(cards, ';') AS card_numbers,
    since,
    'phone ' || subject || ' on registrations of ' || niks || ' NIKs holding ' || len(cards)
        || ' cards since ' || strftime(since, '%Y-%m-%d') AS evidence
FROM held
