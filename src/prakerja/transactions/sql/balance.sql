-- The training balance, in `occurred_at` order. A card with purchase candidates (`spenders`)
-- has a timeline: this batch's candidate purchases and applicable refunds, and the purchases
-- and refunds already applied from its earliest candidate on (`applied_moves`), ordered by
-- instant, purchases before refunds at the same instant, then event id; a refund sits at its
-- own instant or its purchase's, whichever is later. `start_idr` is the balance before the
-- timeline: the card's balance less what the applied moves on it changed.
CREATE OR REPLACE TEMP TABLE spenders AS
SELECT
    card_number, min(occurred_at) AS since, min(occurred_on) AS earliest,
    any_value(balance_idr) AS balance_idr, sum(amount_idr) AS spending
FROM purchase_candidates
WHERE checked = 'OK'
GROUP BY card_number;

CREATE OR REPLACE TEMP TABLE applied_timeline AS
SELECT
    a.card_number, 'APPLIED_PURCHASE' AS kind, a.purchase_event_id AS eid, a.voucher_code,
    a.purchased_at AS at, 0 AS rank, -a.amount_idr AS delta
FROM applied_moves AS a
JOIN spenders AS s USING (card_number)
WHERE a.purchased_at >= s.since
UNION ALL
SELECT
    a.card_number, 'APPLIED_REFUND', a.purchase_event_id, a.voucher_code,
    greatest(a.refunded_at, a.purchased_at), 1, a.amount_idr
FROM applied_moves AS a
JOIN spenders AS s USING (card_number)
WHERE a.refunded_at IS NOT NULL AND greatest(a.refunded_at, a.purchased_at) >= s.since;

-- Only a card whose every purchase on the timeline, refunds left out, would take more than
-- its start can go below zero: those `suspects` get their timeline summed in order.
CREATE OR REPLACE TEMP TABLE suspects AS
WITH applied AS (
    SELECT
        card_number, sum(delta) AS moved,
        sum(CASE WHEN delta < 0 THEN -delta ELSE 0 END) AS spent
    FROM applied_timeline
    GROUP BY card_number
)
SELECT s.card_number, s.balance_idr - coalesce(a.moved, 0) AS start_idr
FROM spenders AS s
LEFT JOIN applied AS a USING (card_number)
WHERE s.balance_idr - coalesce(a.moved, 0) - coalesce(a.spent, 0) - s.spending < 0;

-- The suspects' timelines with the balance after each move if every candidate were accepted;
-- a card that goes below zero is walked (`rules.walk_overrun_cards`, one move at a time).
CREATE OR REPLACE TEMP TABLE overrun_moves AS
WITH moves AS (
    SELECT
        card_number, 'PURCHASE' AS kind, eid, voucher_code, occurred_at AS at, 0 AS rank,
        -amount_idr AS delta, occurred_on
    FROM purchase_candidates
    SEMI JOIN suspects USING (card_number)
    WHERE checked = 'OK'
    UNION ALL
    SELECT
        card_number, 'REFUND', eid, voucher_code, greatest(occurred_at, voucher_purchased_at),
        1, voucher_amount, NULL
    FROM refund_candidates
    SEMI JOIN suspects USING (card_number)
    WHERE verdict = 'APPLIED||'
    UNION ALL
    SELECT *, NULL FROM applied_timeline SEMI JOIN suspects USING (card_number)
),
timeline AS (
    SELECT
        m.*, s.start_idr,
        s.start_idr + sum(m.delta) OVER (
            PARTITION BY m.card_number ORDER BY m.at, m.rank, m.eid ROWS UNBOUNDED PRECEDING
        ) AS running_idr
    FROM moves AS m
    JOIN suspects AS s USING (card_number)
)
SELECT
    t.card_number, t.kind, t.eid, t.voucher_code, t.at, t.rank, t.delta, t.occurred_on,
    t.start_idr, c.purchase_deadline, c.first_purchase_on
FROM timeline AS t
JOIN cards AS c USING (card_number)
QUALIFY min(t.running_idr) OVER (PARTITION BY t.card_number) < 0;

-- On a card not walked every candidate is applied, unless the earliest - the card's first
-- purchase - is after the deadline.
CREATE OR REPLACE TEMP TABLE purchase_checks AS
SELECT
    p.eid,
    CASE
        WHEN p.checked <> 'OK' THEN 'REJECTED'
        WHEN o.card_number IS NOT NULL THEN 'WALK'
        WHEN p.first_purchase_on IS NULL AND s.earliest > p.purchase_deadline THEN 'REJECTED'
        ELSE 'APPLIED'
    END AS state,
    CASE
        WHEN p.checked <> 'OK' THEN p.checked
        WHEN o.card_number IS NOT NULL THEN NULL
        WHEN p.first_purchase_on IS NULL AND s.earliest > p.purchase_deadline
            THEN 'REJECTED|occurred_at|first purchase after the card''s deadline '
                || p.purchase_deadline
        ELSE 'APPLIED||'
    END AS verdict
FROM purchase_candidates AS p
LEFT JOIN spenders AS s USING (card_number)
LEFT JOIN (SELECT DISTINCT card_number FROM overrun_moves) AS o USING (card_number);
