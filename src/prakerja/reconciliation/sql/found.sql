-- What a run makes of each condition found: `conditions` (the engine's rows for the day)
-- against `live` (stored breaks still open, or resolved by an operator while their condition
-- held) and `history` (the last occurrence of every condition ever broken).
--   OPEN    a condition with no live break: a new break, the next occurrence of its key;
--           also a condition an operator resolved whose facts have changed since (another
--           attempt failed, another debit arrived): the fact went bad again, so it is a new
--           break, and the resolved one (`superseded`) lapses
--   UPDATE  an open break whose description changed (a retry failed again, a debit arrived)
-- A condition whose live break is unchanged, or was resolved by an operator and has not
-- changed since, changes nothing.
WITH matched AS (
    SELECT
        c.*,
        l.break_id AS live_break_id,
        l.status AS live_status,
        coalesce(h.last_occurrence, 0) + 1 AS next_occurrence,
        (
            c.partner_code IS DISTINCT FROM l.partner_code
            OR c.batch_id IS DISTINCT FROM l.batch_id
            OR c.instruction_id IS DISTINCT FROM l.instruction_id
            OR c.partner_txn_id IS DISTINCT FROM l.partner_txn_id
            OR c.voucher_code IS DISTINCT FROM l.voucher_code
            OR c.card_number IS DISTINCT FROM l.card_number
            OR c.incentive_kind IS DISTINCT FROM l.incentive_kind
            OR c.tranche IS DISTINCT FROM l.tranche
            OR c.expected_amount_idr IS DISTINCT FROM l.expected_amount_idr
            OR c.reported_amount_idr IS DISTINCT FROM l.reported_amount_idr
            OR c.wave IS DISTINCT FROM l.wave
            OR c.fact_on IS DISTINCT FROM l.fact_on
            OR c.reason IS DISTINCT FROM l.reason
        ) AS changed
    FROM conditions AS c
    LEFT JOIN live AS l ON l.break_type = c.break_type AND l.break_key = c.break_key
    LEFT JOIN history AS h ON h.break_type = c.break_type AND h.break_key = c.break_key
)
SELECT
    CASE WHEN live_status = 'OPEN' THEN 'UPDATE' ELSE 'OPEN' END AS action,
    CASE
        WHEN live_status = 'OPEN' THEN live_break_id
        ELSE 'BRK-' || upper(
            substr(sha256(break_type || '|' || break_key || '|' || next_occurrence), 1, 16)
        )
    END AS break_id,
    CASE WHEN live_status <> 'OPEN' THEN live_break_id END AS superseded,
    next_occurrence AS occurrence,
    break_type,
    break_key,
    partner_code,
    batch_id,
    instruction_id,
    partner_txn_id,
    voucher_code,
    card_number,
    incentive_kind,
    tranche,
    expected_amount_idr,
    reported_amount_idr,
    wave,
    fact_on,
    reason
FROM matched
WHERE live_break_id IS NULL OR changed
ORDER BY break_type, break_key
