-- The daily construction log's sections, each over one site-local day [from, to).

-- name: temperature
-- Air temperature and humidity from the site's environment sensors, each extreme with when
-- it was read. A concrete probe's reading (it carries core_temp_c: core/measurements.py's
-- PROBE) is the slab's, its temp_c the surface's: not weather.
SELECT (SELECT min(temp_c) FROM env_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND core_temp_c IS NULL) AS min_temp_c,
       (SELECT ts FROM env_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND core_temp_c IS NULL AND temp_c IS NOT NULL
        ORDER BY temp_c, ts LIMIT 1) AS min_temp_at,
       (SELECT max(temp_c) FROM env_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND core_temp_c IS NULL) AS max_temp_c,
       (SELECT ts FROM env_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND core_temp_c IS NULL AND temp_c IS NOT NULL
        ORDER BY temp_c DESC, ts LIMIT 1) AS max_temp_at,
       (SELECT min(rh_pct) FROM env_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND core_temp_c IS NULL) AS min_rh_pct,
       (SELECT max(rh_pct) FROM env_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND core_temp_c IS NULL) AS max_rh_pct,
       (SELECT max(wind_mps) FROM crane_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s) AS max_wind_mps,
       (SELECT ts FROM crane_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND wind_mps IS NOT NULL
        ORDER BY wind_mps DESC, ts LIMIT 1) AS max_wind_at,
       (SELECT device_id FROM crane_readings
        WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s AND wind_mps IS NOT NULL
        ORDER BY wind_mps DESC, ts LIMIT 1) AS max_wind_device;

-- name: tasks
-- Tasks under way at some time of the day, on each of their floors: begun that day,
-- finished that day (a finish entered), or under way through it; with the quality
-- excursions of the day.
SELECT f.floor, t.id AS task, t.name, t.type, t.trade,
       CASE WHEN t.actual_finish >= %(from)s AND t.actual_finish < %(to)s THEN 'finished'
            WHEN lower(t.active) >= %(from)s THEN 'started'
            ELSE 'under_way' END AS state,
       lower(t.active) AS active_from, t.actual_finish,
       (SELECT count(*)::int FROM task_excursions AS x
        WHERE x.site_id = t.site_id AND x.task_id = t.id AND x.started_at < %(to)s
          AND (x.ended_at IS NULL OR x.ended_at >= %(from)s)) AS excursions,
       (SELECT string_agg(DISTINCT x.rule_id, ', ') FROM task_excursions AS x
        WHERE x.site_id = t.site_id AND x.task_id = t.id AND x.started_at < %(to)s
          AND (x.ended_at IS NULL OR x.ended_at >= %(from)s)) AS excursion_rules
FROM tasks AS t, unnest(t.floors) AS f (floor)
WHERE t.site_id = %(site)s AND t.removed_at IS NULL
  AND t.active && tstzrange(%(from)s, %(to)s)
  AND NOT (t.actual_start IS NULL AND t.planned_start >= %(to)s)
ORDER BY f.floor DESC, lower(t.active), t.id;

-- name: lifts
-- Each crane's lifts begun that day.
SELECT c.id AS crane, count(l.started_at)::int AS lifts,
       coalesce(sum(l.max_load_t), 0)::float8 AS tonnes,
       (coalesce(sum(extract(epoch FROM l.ended_at - l.started_at)), 0) / 3600.0)::float8
           AS hours_loaded,
       max(l.max_moment_pct) AS max_moment_pct,
       (count(*) FILTER (WHERE l.max_moment_pct > 90))::int AS lifts_over_90_pct,
       max(l.max_load_t) AS max_load_t
FROM cranes AS c
LEFT JOIN crane_lifts AS l ON l.site_id = c.site_id AND l.crane_id = c.id
     AND l.started_at >= %(from)s AND l.started_at < %(to)s
WHERE c.site_id = %(site)s
GROUP BY c.id ORDER BY c.id;

-- name: alerts
-- Alert transitions of the day by severity (alert_events: every transition kept).
SELECT s.severity,
       (count(e.id) FILTER (WHERE e.kind IN ('opened', 'reopened')))::int AS raised,
       (count(e.id) FILTER (WHERE e.kind = 'acknowledged'))::int AS acknowledged,
       (count(e.id) FILTER (WHERE e.kind = 'resolved'))::int AS resolved
FROM unnest(ARRAY['critical', 'major', 'minor', 'warning']) WITH ORDINALITY AS s (severity, n)
LEFT JOIN alerts AS a ON a.site_id = %(site)s AND a.severity = s.severity
LEFT JOIN alert_events AS e ON e.alert_id = a.id AND e.at >= %(from)s AND e.at < %(to)s
GROUP BY s.severity, s.n ORDER BY s.n;

-- name: offline
-- Devices offline some time of the day: their offline alerts overlapping it.
SELECT a.device_id AS device, d.kind, a.opened_at AS offline_from, a.resolved_at AS back_at
FROM alerts AS a
LEFT JOIN devices AS d ON d.site_id = a.site_id AND d.id = a.device_id
WHERE a.site_id = %(site)s AND a.rule_id = 'device.offline' AND a.opened_at < %(to)s
  AND (a.resolved_at IS NULL OR a.resolved_at >= %(from)s)
ORDER BY a.device_id, a.opened_at;

-- name: notes
SELECT notes, written_at, written_by FROM daily_log_notes
WHERE site_id = %(site)s AND day = %(day)s ORDER BY id DESC LIMIT 1;

-- name: note_history
SELECT notes, written_at, written_by FROM daily_log_notes
WHERE site_id = %(site)s AND day = %(day)s ORDER BY id;

-- name: write_notes
INSERT INTO daily_log_notes (site_id, day, notes, written_by)
VALUES (%(site)s, %(day)s, %(notes)s, %(by)s)
RETURNING notes, written_at, written_by;

-- name: site
SELECT id, name, timezone FROM sites WHERE id = %(site)s;
