-- Every post-training tranche not created yet of each card whose first due day is known,
-- with the day it falls due: the first on the day the last of (first training completed,
-- reviewed, an account linked) became true, tranche k the scheme's interval x (k - 1) later.
WITH ready AS (
    SELECT
        t.card_number,
        s.amount_idr,
        s.tranches,
        s.interval_days,
        coalesce(have.tranches, 0) AS have,
        greatest(t.completed_on, t.reviewed_on, l.linked_on) AS first_due
    FROM trainings t
    JOIN cards c ON c.card_number = t.card_number
    JOIN schemes s ON s.scheme = c.scheme
    JOIN links l ON l.card_number = t.card_number
    LEFT JOIN have ON have.card_number = t.card_number
    WHERE t.completed_on IS NOT NULL AND t.reviewed_on IS NOT NULL
      AND coalesce(have.tranches, 0) < s.tranches
)
SELECT
    r.card_number,
    $kind AS kind,
    n.tranche,
    r.amount_idr,
    r.first_due + CAST(r.interval_days * (n.tranche - 1) AS INTEGER) AS due_on
FROM ready r
JOIN range(1, $most + 1) AS n(tranche) ON n.tranche > r.have AND n.tranche <= r.tranches
ORDER BY r.card_number, n.tranche
