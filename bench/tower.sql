-- The scratch tower's history, as if ingest had run for %(days)s days (bench/tower.py): in
-- the order ingest would have stored it, by receive time (the rollups find what was
-- received since their last refresh by the received_at block ranges).

-- name: env_history
-- One reading a minute from every env sensor of the site over the last %(days)s days.
INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, zone, temp_c, rh_pct,
                          pm10_ugm3, noise_dba)
SELECT t, d.id, d.site_id, t, d.floor, d.zone,
       12 + 6 * sin(extract(epoch FROM t) / 13751.0) + random(),
       60 + 10 * random(), 30 + 20 * random(), 55 + 20 * random()
FROM devices AS d
CROSS JOIN generate_series(now() - make_interval(days => %(days)s), now(), interval '1 minute') AS t
WHERE d.site_id = %(site)s AND d.kind = 'env'
ORDER BY t;

-- name: tag_history
-- One position every five minutes from every tag over the last %(days)s days.
INSERT INTO tag_readings (ts, device_id, site_id, received_at, floor, x_m, y_m, z_m)
SELECT t, d.id, d.site_id, t, 1 + (hashtext(d.id) & 1023) %% %(floors)s,
       10 + 40 * random(), 10 + 30 * random(), 1.2
FROM devices AS d
CROSS JOIN generate_series(now() - make_interval(days => %(days)s), now(), interval '5 minutes') AS t
WHERE d.site_id = %(site)s AND d.kind = 'tag'
ORDER BY t;

-- name: state
-- device_state as ingest would leave it: each device's newest reading.
INSERT INTO device_state (device_id, site_id, kind, last_ts, last_seen_at, latest, floor, zone, online,
                          status_changed_at, status_reason)
SELECT DISTINCT ON (device_id) device_id, site_id, kind, ts, now(), latest, floor, zone, true, now(), 'bench'
FROM (
    SELECT device_id, site_id, 'env' AS kind, ts, floor, zone,
           jsonb_build_object('temp_c', temp_c, 'rh_pct', rh_pct, 'pm10_ugm3', pm10_ugm3,
                              'noise_dba', noise_dba) AS latest
    FROM env_readings WHERE site_id = %(site)s AND ts > now() - interval '10 minutes'
    UNION ALL
    SELECT device_id, site_id, 'tag', ts, floor, zone,
           jsonb_build_object('x_m', x_m, 'y_m', y_m, 'sos', false)
    FROM tag_readings WHERE site_id = %(site)s AND ts > now() - interval '10 minutes'
) AS s
ORDER BY device_id, ts DESC
ON CONFLICT (device_id) DO NOTHING;

-- name: crane_history
-- Every crane every 10 s over the last %(days)s days: lifts by day, parked at night.
INSERT INTO crane_readings (ts, device_id, site_id, received_at, load_t, radius_m, height_m,
                            slew_deg, moment_pct, wind_mps, tilt_deg)
SELECT t, d.id, d.site_id, t, 4 * random(), 10 + 40 * random(), 60 + 20 * random(),
       360 * random(), 30 + 75 * random(), 3 + 10 * random(), 0.5 * random()
FROM devices AS d
CROSS JOIN generate_series(now() - make_interval(days => %(days)s), now(), interval '10 s') AS t
WHERE d.site_id = %(site)s AND d.kind = 'crane'
ORDER BY t;

-- name: alerts
-- %(alerts)s alerts spread over the range: floors, cranes, a third against tasks.
WITH made AS (
    INSERT INTO alerts (site_id, rule_id, subject, state, severity, title, message, floor,
                        task_id, value, worst_value, opened_at, raised_at, last_breach_at,
                        acknowledged_at, acknowledged_by, resolved_at, resolved_by)
    SELECT %(site)s, 'rule-' || (n %% 12), 'subject-' || n,
           CASE WHEN n %% 50 = 0 THEN 'active' ELSE 'resolved' END,
           (ARRAY['critical', 'major', 'minor', 'warning'])[1 + n %% 4], 'alert ' || n, 'bench',
           1 + n %% %(floors)s, CASE WHEN n %% 3 = 0 THEN 'task-' || (n %% 40) END,
           random() * 100, random() * 120, at, at, at, at + interval '3 min', 'bench',
           CASE WHEN n %% 50 = 0 THEN NULL ELSE at + interval '25 min' END,
           CASE WHEN n %% 50 = 0 THEN NULL ELSE 'rules' END
    FROM generate_series(1, %(alerts)s) AS n,
         LATERAL (SELECT now() - make_interval(days => %(days)s) * random() AS at) AS t
    RETURNING id, opened_at
)
INSERT INTO alert_events (alert_id, at, kind, actor) SELECT id, opened_at, 'opened', 'rules' FROM made;
