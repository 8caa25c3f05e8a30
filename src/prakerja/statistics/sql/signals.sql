-- Every integrity signal holding on $day, under its stable id (SIG- and the first 20 hex
-- digits of the SHA-256 of type, a vertical bar and subject). Reads the four temp tables.
SELECT
    'SIG-' || substr(sha256(signal_type || '|' || subject), 1, 20) AS signal_id,
    signal_type,
    subject,
    card_numbers,
    since,
    evidence
FROM (
    SELECT * FROM found_shared_account
    UNION ALL
    SELECT * FROM found_shared_phone
    UNION ALL
    SELECT * FROM found_fast_completion
    UNION ALL
    SELECT * FROM found_same_person
) AS found
