-- Every break open on the day in one aging bucket, counted from the day of its fact.
-- `open_breaks` holds the breaks open on the day; `buckets` the bucket names and upper bounds.
WITH aged AS (
    SELECT
        b.*,
        datediff('day', b.fact_on, $day) AS age_days
    FROM open_breaks AS b
)
SELECT
    a.*,
    coalesce(
        (SELECT min_by(k.name, k.upper_days) FROM buckets AS k WHERE a.age_days <= k.upper_days),
        $older
    ) AS bucket
FROM aged AS a
ORDER BY a.fact_on, a.break_type, a.break_id
