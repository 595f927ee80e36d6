-- name: pending_events
-- Transitions not yet turned into deliveries, oldest first.
SELECT e.id, e.kind, e.level, a.site_id, a.severity, a.floor, a.escalation_level
FROM alert_events AS e JOIN alerts AS a ON a.id = e.alert_id
WHERE e.dispatched_at IS NULL
ORDER BY e.id
LIMIT 500
FOR UPDATE OF e SKIP LOCKED;

-- name: add_delivery
INSERT INTO deliveries (event_id, route, channel)
VALUES (%(event)s, %(route)s, %(channel)s)
ON CONFLICT (event_id, route, channel) DO NOTHING;

-- name: mark_dispatched
UPDATE alert_events SET dispatched_at = now() WHERE id = ANY(%(ids)s);

-- name: due_delivery
-- One delivery that is due and not yet tried in this pass, locked until its attempt is
-- recorded.
SELECT d.id, d.route, d.channel, d.attempts, e.id, e.kind, e.level, e.actor, e.note, e.at,
       a.id, a.site_id, a.rule_id, a.subject, a.state, a.severity, a.title, a.message,
       coalesce(f.name, 'level ' || a.floor), a.zone, a.value, a.raised_at, s.timezone
FROM deliveries AS d
JOIN alert_events AS e ON e.id = d.event_id
JOIN alerts AS a ON a.id = e.alert_id
JOIN sites AS s ON s.id = a.site_id
LEFT JOIN floors AS f ON f.site_id = a.site_id AND f.level = a.floor
WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
  AND d.id <> ALL(%(tried)s::bigint[])
ORDER BY d.next_attempt_at, d.id
LIMIT 1
FOR UPDATE OF d SKIP LOCKED;

-- name: delivered
UPDATE deliveries
SET attempts = attempts + 1, delivered_at = now(), last_error = NULL
WHERE id = %(id)s;

-- name: retry
UPDATE deliveries
SET attempts = attempts + 1, last_error = %(error)s,
    next_attempt_at = now() + %(delay)s,
    failed_at = CASE WHEN attempts + 1 >= %(max_attempts)s THEN now() END
WHERE id = %(id)s
RETURNING failed_at IS NOT NULL;

-- name: attempt
INSERT INTO delivery_attempts (delivery_id, ok, status, detail, elapsed_ms)
VALUES (%(id)s, %(ok)s, %(status)s, %(detail)s, %(elapsed_ms)s);

-- name: due_escalations
-- Active (unacknowledged) alerts old enough for their next escalation level.
SELECT id, site_id, escalation_level, now() - raised_at
FROM alerts
WHERE state = 'active' AND raised_at <= now() - %(first)s
  AND escalation_level < %(levels)s
FOR UPDATE SKIP LOCKED;

-- name: escalate
UPDATE alerts SET escalation_level = %(level)s, updated_at = now() WHERE id = %(id)s;

-- name: escalated_event
INSERT INTO alert_events (alert_id, kind, actor, note, level)
VALUES (%(id)s, 'escalated', 'rules', %(note)s, %(level)s);

-- name: counts
SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL),
       count(*) FILTER (WHERE failed_at IS NOT NULL),
       count(*) FILTER (WHERE delivered_at IS NOT NULL)
FROM deliveries;
