-- Members waiting for a family slot freed by a member who found no place.
WITH won AS (
    SELECT j.kk_number, count(*) AS wins
    FROM judged j JOIN winners w USING (registration_id)
    GROUP BY j.kk_number
)
SELECT j.registration_id, j.kk_number, j.pool, j.pool_rank, j.family_rank,
       greatest(0, $limit - j.prior_cards) AS slots, coalesce(w.wins, 0) AS wins
FROM judged j LEFT JOIN won w USING (kk_number)
WHERE j.candidate
  AND j.family_rank > greatest(0, $limit - j.prior_cards)
  AND coalesce(w.wins, 0) < greatest(0, $limit - j.prior_cards)
ORDER BY j.kk_number, j.family_rank
