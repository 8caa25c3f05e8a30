-- SHARED_ACCOUNT: one payout account linked (by $day) by cards of three or more NIKs.
-- Held since the day the third NIK first linked it. Accounts with fewer than three links are
-- set aside first, so that only the few candidates are grouped by NIK and listed.
WITH candidate AS (
    SELECT partner_code, account_id
    FROM account_links
    WHERE linked_on <= $day
    GROUP BY partner_code, account_id
    HAVING count(*) >= 3
),
per_nik AS (
    SELECT
        l.partner_code,
        l.account_id,
        c.nik,
        min(l.linked_on) AS first_on,
        list(DISTINCT l.card_number) AS cards
    FROM account_links AS l
    SEMI JOIN candidate AS k ON k.partner_code = l.partner_code AND k.account_id = l.account_id
    JOIN cards AS c ON c.card_number = l.card_number
    WHERE l.linked_on <= $day
    GROUP BY l.partner_code, l.account_id, c.nik
),
held AS (
    SELECT
        partner_code || ':' || account_id AS subject,
        count(*) AS niks,
        list_sort(flatten(list(cards))) AS cards,
        list_sort(list(first_on))[3] AS since
    FROM per_nik
    GROUP BY partner_code, account_id
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
