-- A site's status now, as the floors and cranes routes, the live stream (and so the wall
-- board) and the demo show it.

-- name: floors
-- Each floor, top first: workers whose tag was heard there in the last 5 minutes, the
-- latest environment values (air sensors; probes measure concrete: `environment`, each
-- floor measurement's summary as core/measurements.py declares it, a column named by its
-- key, and `probe`, the probe's key, filled in by api/site_status.py), sensors on/offline,
-- its open alerts (active or acknowledged): how many, and whether any is critical or
-- major; and its active tasks.
WITH open_alerts AS (
    SELECT floor, count(*) AS n, bool_or(severity IN ('critical', 'major')) AS alarm
    FROM alerts
    WHERE site_id = %(site)s AND state <> 'resolved' AND floor IS NOT NULL
    GROUP BY floor
)
SELECT f.level, f.name,
       count(*) FILTER (WHERE s.kind = 'tag' AND s.last_seen_at > now() - interval '5 min')
           AS workers_present,
       {environment},
       count(*) FILTER (WHERE s.kind = 'env' AND s.online) AS sensors_online,
       count(*) FILTER (WHERE s.kind = 'env' AND NOT s.online) AS sensors_offline,
       coalesce(a.n, 0) AS active_alerts, coalesce(a.alarm, false) AS alarm,
       -- schedule tasks under way on the floor now (see the tasks table's `active`)
       ARRAY(SELECT t.id FROM tasks AS t
             WHERE t.site_id = %(site)s AND t.removed_at IS NULL
               AND t.floors @> ARRAY[f.level] AND t.active @> now()
             ORDER BY t.planned_start, t.id) AS active_tasks
FROM floors AS f
LEFT JOIN device_state AS s ON s.site_id = f.site_id AND s.floor = f.level
LEFT JOIN open_alerts AS a ON a.floor = f.level
CROSS JOIN LATERAL (SELECT s.kind = {probe_kind} AND NOT s.latest ? {probe} AS air) AS air
WHERE f.site_id = %(site)s
GROUP BY f.level, f.name, a.n, a.alarm
ORDER BY f.level DESC;

-- name: cranes
-- lifts_today: the crane's work cycles (crane_lifts) begun since the site's midnight.
SELECT c.id, c.name, c.x_m, c.y_m, c.jib_m, c.rated_t, s.online, s.last_ts, s.latest,
       (SELECT count(*)::int FROM crane_lifts AS l
        WHERE l.site_id = c.site_id AND l.crane_id = c.id
          AND l.started_at >= date_trunc('day', now(), site.timezone)) AS lifts_today
FROM cranes AS c JOIN sites AS site ON site.id = c.site_id
LEFT JOIN device_state AS s ON s.device_id = c.id
WHERE c.site_id = %(site)s ORDER BY c.id;

-- name: open_alerts
-- Newest first (as the alerts route lists them).
SELECT id, state, severity, title, message, floor, raised_at
FROM alerts
WHERE site_id = %(site)s AND state IN ('active', 'acknowledged')
ORDER BY id DESC
LIMIT %(limit)s;
