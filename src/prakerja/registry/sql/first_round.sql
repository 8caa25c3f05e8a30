-- First round: each family's earliest members for its free slots, placed in pool order.
WITH cleared AS (
    SELECT registration_id, pool, pool_rank
    FROM judged
    WHERE candidate AND pool IS NOT NULL AND family_rank <= greatest(0, $limit - prior_cards)
),
placed AS (
    SELECT c.registration_id,
           row_number() OVER (PARTITION BY c.pool ORDER BY c.pool_rank) AS place,
           p.capacity
    FROM cleared c JOIN places p ON p.pool = c.pool
)
SELECT registration_id FROM placed WHERE place <= capacity
