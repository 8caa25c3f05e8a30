WITH windows AS (
    SELECT
        a._row, a.survey_no, a.submitted_on, c.card_number AS known_card, s.scheme, s.surveys,
        s.amount_idr, p.paid_on,
        p.paid_on + CAST(s.opens_every_days * a.survey_no AS INTEGER) AS opens_on,
        p.paid_on + CAST(s.opens_every_days * a.survey_no + s.open_for_days AS INTEGER)
            AS closes_on
    FROM answers a
    LEFT JOIN cards c ON c.card_number = a.card_number
    LEFT JOIN schemes s ON s.scheme = c.scheme
    LEFT JOIN paid p ON p.card_number = a.card_number
)
SELECT
    _row, opens_on, closes_on, amount_idr,
    CASE
        WHEN known_card IS NULL THEN 'card_number'
        WHEN survey_no > surveys THEN 'survey_no'
        WHEN paid_on IS NULL OR submitted_on NOT BETWEEN opens_on AND closes_on
            THEN 'submitted_at'
    END AS "column",
    CASE
        WHEN known_card IS NULL THEN 'unknown card number'
        WHEN survey_no > surveys
            THEN 'scheme ' || scheme || ' has ' || CAST(surveys AS VARCHAR) || ' survey(s)'
        WHEN paid_on IS NULL
            THEN 'survey ' || CAST(survey_no AS VARCHAR)
                 || ' is not open: the first post-training incentive is not paid yet'
        WHEN submitted_on NOT BETWEEN opens_on AND closes_on
            THEN 'survey ' || CAST(survey_no AS VARCHAR) || ' is not open: it is open from '
                 || CAST(opens_on AS VARCHAR) || ' to ' || CAST(closes_on AS VARCHAR)
    END AS reason
FROM windows
ORDER BY _row
