-- Each card's balance change from its moves: spends take, restores give back (nothing
-- once the balance has expired), and the first spend is the card's first purchase day.
SELECT
    m.card_number,
    sum(CASE WHEN m.direction = 'SPEND' THEN -m.amount_idr
             WHEN c.balance_expired_on IS NULL THEN m.amount_idr
             ELSE 0 END)::BIGINT AS delta,
    min(CASE WHEN m.direction = 'SPEND' THEN m.effective_on END) AS first_purchase_on
FROM moves AS m JOIN cards AS c USING (card_number)
GROUP BY m.card_number ORDER BY m.card_number
