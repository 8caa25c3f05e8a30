-- Attendance, completion (a webinar needs every session attended, from either source) and
-- review (needs a completion), against every voucher known after this batch's purchases. An
-- event at or after the voucher's refund (stored, or applied in this batch) is refused; one
-- dated before it still applies, whichever arrived first.
CREATE OR REPLACE TEMP TABLE dependent_base AS
SELECT
    e.eid, e.event_type, e.voucher_code, e.sequence, e.occurred_at, e.occurred_on,
    e.certificate_no, e.rating,
    coalesce(k.completed, false) AS was_completed, co.course_type, co.sessions,
    CASE
        WHEN k.voucher_code IS NULL AND f.voucher_code IS NOT NULL
            THEN 'REJECTED|voucher_code|the voucher''s purchase was refused'
        WHEN k.voucher_code IS NULL THEN 'PENDING||waiting for the purchase'
        WHEN e.card_number <> k.card_number
            THEN 'REJECTED|card_number|the voucher belongs to another card'
        WHEN e.platform_code <> k.platform_code
            THEN 'REJECTED|platform_code|the voucher was sold by ' || k.platform_code
        WHEN e.course_code IS NOT NULL AND e.course_code <> k.course_code
            THEN 'REJECTED|course_code|the voucher is for course ' || k.course_code
        WHEN e.occurred_at >= coalesce(k.refunded_at, r.refunded_at)
            THEN 'REJECTED|voucher_code|the voucher is refunded'
        WHEN e.event_type = 'ATTENDANCE' AND e.sequence > co.sessions
            THEN 'REJECTED|sequence|beyond the course''s ' || co.sessions || ' session(s)'
        ELSE 'OK'
    END AS base_verdict
FROM events AS e
LEFT JOIN known_vouchers AS k USING (voucher_code)
LEFT JOIN courses AS co ON co.course_code = k.course_code
LEFT JOIN refused_all AS f USING (voucher_code)
LEFT JOIN (
    SELECT voucher_code, occurred_at AS refunded_at FROM refund_verdicts
    WHERE verdict = 'APPLIED||'
) AS r USING (voucher_code)
WHERE e.event_type IN ('ATTENDANCE', 'COMPLETION', 'REVIEW');

CREATE OR REPLACE TEMP TABLE sessions_attended AS
SELECT voucher_code, count(DISTINCT sequence) AS attended
FROM (
    SELECT voucher_code, sequence FROM attended
    UNION
    SELECT voucher_code, sequence FROM dependent_base
    WHERE event_type = 'ATTENDANCE' AND base_verdict = 'OK'
)
GROUP BY voucher_code;

CREATE OR REPLACE TEMP TABLE completion_verdicts AS
SELECT
    d.eid, d.voucher_code, d.was_completed,
    CASE
        WHEN d.base_verdict <> 'OK' THEN d.base_verdict
        WHEN d.course_type = 'WEBINAR' AND coalesce(s.attended, 0) < d.sessions
            THEN 'PENDING||waiting for attendance of every session'
        ELSE 'APPLIED||'
    END AS verdict
FROM dependent_base AS d
LEFT JOIN sessions_attended AS s USING (voucher_code)
WHERE d.event_type = 'COMPLETION';

CREATE OR REPLACE TEMP TABLE dependent_verdicts AS
SELECT eid, CASE WHEN base_verdict = 'OK' THEN 'APPLIED||' ELSE base_verdict END AS verdict
FROM dependent_base WHERE event_type = 'ATTENDANCE'
UNION ALL
SELECT eid, verdict FROM completion_verdicts
UNION ALL
SELECT
    d.eid,
    CASE
        WHEN d.base_verdict <> 'OK' THEN d.base_verdict
        WHEN d.was_completed OR c.voucher_code IS NOT NULL THEN 'APPLIED||'
        ELSE 'PENDING||waiting for the completion'
    END
FROM dependent_base AS d
LEFT JOIN (
    SELECT DISTINCT voucher_code FROM completion_verdicts WHERE verdict = 'APPLIED||'
) AS c USING (voucher_code)
WHERE d.event_type = 'REVIEW';
