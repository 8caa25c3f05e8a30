-- SHARED_ACCOUNT: one payout account linked (by $day) by cards of three or more NIKs.
-- Held since the day the third NIK first linked it.
WITH linked AS (
    SELECT l.partner_code || ':' || l.account_id AS subject, l.card_number, c.nik, l.linked_on
    FROM account_links AS l
    JOIN cards AS c ON c.card_number = l.card_number
    WHERE l.linked_on <= $day
),
per_nik AS (
    SELECT subject, nik, min(linked_on) AS first_on, list(DISTINCT card_number) AS cards
    FROM linked
    GROUP BY subject, nik
),
held AS (
    SELECT
        subject,
        count(*) AS niks,
        list_sort(flatten(list(cards))) AS cards,
        list_sort(list(first_on))[3] AS since
    FROM per_nik
    GROUP BY subject
    HAVING count(*) >= 3
)
SELECT
    'SHARED_ACCOUNT' AS signal_type,
    subject,
    array_to_string(cards, ';') AS card_numbers,
    since,
    'account ' || subject || ' linked by ' || len(cards) || ' cards of ' || niks
        || ' NIKs since ' || strftime(since, '%Y-%m-%d') AS evidence
FROM held
