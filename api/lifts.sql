-- name: crane
SELECT c.id FROM cranes AS c WHERE c.site_id = %(site)s AND c.id = %(crane)s;

-- name: lifts
-- The crane's lifts begun in [from, to).
SELECT l.started_at, l.ended_at, extract(epoch FROM l.ended_at - l.started_at)::float8 AS duration_s,
       l.max_load_t, l.max_moment_pct, l.max_wind_mps,
       l.pick_radius_m, l.pick_slew_deg, l.pick_height_m, l.pick_floor,
       l.set_radius_m, l.set_slew_deg, l.set_height_m, l.set_floor
FROM crane_lifts AS l
WHERE l.site_id = %(site)s AND l.crane_id = %(crane)s
  AND l.started_at >= %(from)s AND l.started_at < %(to)s
ORDER BY l.started_at;

-- name: lift_alerts
-- The alerts about the crane opened or raised again while one of those lifts was loaded.
-- An alert's times are when the rules service judged the reading, which follows it by the
-- pipeline's latency: 30 s after set-down still count.
SELECT l.started_at AS lift_started_at, a.id, a.rule_id, a.severity, a.title,
       a.opened_at, a.raised_at
FROM crane_lifts AS l
JOIN alerts AS a ON a.site_id = l.site_id AND a.device_id = l.crane_id
 AND (a.opened_at BETWEEN l.started_at AND l.ended_at + interval '30 seconds'
      OR a.raised_at BETWEEN l.started_at AND l.ended_at + interval '30 seconds')
WHERE l.site_id = %(site)s AND l.crane_id = %(crane)s
  AND l.started_at >= %(from)s AND l.started_at < %(to)s
ORDER BY l.started_at, a.id;

-- name: days
-- Per site-local day: lifts, tonnes lifted, hours loaded, the highest moment and the
-- lifts past 90 per cent of the rated moment.
SELECT (l.started_at AT TIME ZONE s.timezone)::date AS day, count(*)::int AS lifts,
       sum(l.max_load_t) AS tonnes,
       (sum(extract(epoch FROM l.ended_at - l.started_at)) / 3600.0)::float8 AS hours_loaded,
       max(l.max_moment_pct) AS max_moment_pct,
       (count(*) FILTER (WHERE l.max_moment_pct > 90))::int AS lifts_over_90_pct
FROM crane_lifts AS l JOIN sites AS s ON s.id = l.site_id
WHERE l.site_id = %(site)s AND l.crane_id = %(crane)s
  AND l.started_at >= %(from)s AND l.started_at < %(to)s
GROUP BY 1 ORDER BY 1;
