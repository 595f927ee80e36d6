-- name: repeat
-- A breach while the alert is open: the newest value, the worst, how many breaches.
UPDATE alerts
SET value = %(value)s,
    worst_value = CASE WHEN %(value)s::float8 IS NULL THEN worst_value
                       WHEN worst_value IS NULL THEN %(worst)s
                       WHEN %(rising)s THEN greatest(worst_value, %(worst)s)
                       ELSE least(worst_value, %(worst)s) END,
    breaches = breaches + %(breaches)s, last_breach_at = now(), message = %(message)s,
    updated_at = now()
WHERE site_id = %(site)s AND rule_id = %(rule)s AND subject = %(subject)s
  AND state <> 'resolved'
RETURNING id;

-- name: reopen
-- The same incident again within the flapping window: reopen its alert, not a new one.
UPDATE alerts
SET state = 'active', raised = raised + 1, raised_at = now(), last_breach_at = now(),
    value = %(value)s, worst_value = %(value)s, breaches = breaches + 1,
    message = %(message)s, severity = %(severity)s, title = %(title)s,
    acknowledged_at = NULL, acknowledged_by = NULL, resolved_at = NULL, resolved_by = NULL,
    escalation_level = 0, updated_at = now()
WHERE id = (SELECT id FROM alerts
            WHERE site_id = %(site)s AND rule_id = %(rule)s AND subject = %(subject)s
              AND state = 'resolved' AND resolved_at > now() - %(flap)s
            ORDER BY resolved_at DESC LIMIT 1)
RETURNING id;

-- name: open
INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message, floor, zone,
                    device_id, task_id, value, worst_value, opened_at, raised_at,
                    last_breach_at)
VALUES (%(site)s, %(rule)s, %(subject)s, 'active', %(severity)s, %(title)s, %(message)s,
        %(floor)s, %(zone)s, %(device)s, %(task)s, %(value)s, %(value)s, now(), now(), now())
RETURNING id;

-- name: excursion_start
INSERT INTO task_excursions (site_id, task_id, rule_id, device_id, metric, started_at,
                             worst_value, alert_id)
VALUES (%(site)s, %(task)s, %(rule)s, %(device)s, %(metric)s, %(since)s, %(value)s, %(alert)s)
ON CONFLICT (site_id, task_id, rule_id, device_id) WHERE ended_at IS NULL DO NOTHING;

-- name: excursion_worst
UPDATE task_excursions
SET worst_value = CASE WHEN worst_value IS NULL THEN %(worst)s
                       WHEN %(rising)s THEN greatest(worst_value, %(worst)s)
                       ELSE least(worst_value, %(worst)s) END
WHERE site_id = %(site)s AND task_id = %(task)s AND rule_id = %(rule)s
  AND device_id IS NOT DISTINCT FROM %(device)s AND ended_at IS NULL;

-- name: excursion_end
UPDATE task_excursions SET ended_at = greatest(%(since)s, started_at)
WHERE site_id = %(site)s AND task_id = %(task)s AND rule_id = %(rule)s
  AND device_id IS NOT DISTINCT FROM %(device)s AND ended_at IS NULL;

-- name: clear
UPDATE alerts
SET state = 'resolved', resolved_at = now(), resolved_by = 'rules', updated_at = now()
WHERE site_id = %(site)s AND rule_id = %(rule)s AND subject = %(subject)s
  AND state <> 'resolved'
RETURNING id;

-- name: event
INSERT INTO alert_events (alert_id, kind, actor, note, value, level)
VALUES (%(alert)s, %(kind)s, %(actor)s, %(note)s, %(value)s, %(level)s)
RETURNING id;

-- name: notify
SELECT pg_notify('sitepulse_alerts', %(site)s);

-- name: open_keys
SELECT rule_id, subject FROM alerts WHERE site_id = %(site)s AND state <> 'resolved';

-- name: acknowledge
UPDATE alerts
SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = %(actor)s,
    updated_at = now()
WHERE id = %(id)s AND state = 'active'
RETURNING id;

-- name: resolve
UPDATE alerts
SET state = 'resolved', resolved_at = now(), resolved_by = %(actor)s, updated_at = now()
WHERE id = %(id)s AND state <> 'resolved'
RETURNING id;

-- name: state
SELECT state, site_id FROM alerts WHERE id = %(id)s;

-- name: get
SELECT id, site_id, rule_id, subject, state, severity, title, message, floor, zone,
       device_id, task_id, value, worst_value, breaches, raised, opened_at, raised_at,
       last_breach_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
       escalation_level, updated_at
FROM alerts WHERE id = %(id)s;

-- name: list
-- Newest first, by the time the alert was last raised; `before_id` pages backwards.
SELECT id, site_id, rule_id, subject, state, severity, title, message, floor, zone,
       device_id, task_id, value, worst_value, breaches, raised, opened_at, raised_at,
       last_breach_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
       escalation_level, updated_at
FROM alerts
WHERE (%(site)s::text IS NULL OR site_id = %(site)s)
  AND (%(states)s::text[] IS NULL OR state = ANY(%(states)s))
  AND (%(severities)s::text[] IS NULL OR severity = ANY(%(severities)s))
  AND (%(floor)s::int IS NULL OR floor = %(floor)s)
  AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s)
ORDER BY id DESC
LIMIT %(limit)s;

-- name: events
SELECT id, at, kind, actor, note, value, level FROM alert_events
WHERE alert_id = %(id)s ORDER BY id;

-- name: events_since
-- A site's transitions after `after` (an event id), oldest first: for live streams.
SELECT e.id, e.at, e.kind, e.actor, e.note, e.level, a.id, a.rule_id, a.subject, a.state,
       a.severity, a.title, a.message, a.floor
FROM alert_events AS e JOIN alerts AS a ON a.id = e.alert_id
WHERE a.site_id = %(site)s AND e.id > %(after)s
ORDER BY e.id
LIMIT 200;

-- name: last_event
SELECT coalesce(max(e.id), 0)
FROM alert_events AS e JOIN alerts AS a ON a.id = e.alert_id
WHERE a.site_id = %(site)s;

-- name: retire
-- Open alerts of rules no longer in force for the site (switched off, or gone from the packs).
UPDATE alerts
SET state = 'resolved', resolved_at = now(), resolved_by = 'rules', updated_at = now()
WHERE site_id = %(site)s AND state <> 'resolved' AND NOT (rule_id = ANY(%(in_force)s))
RETURNING id, rule_id;
