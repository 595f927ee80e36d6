-- name: crane_history
-- Every crane every 10 s over the last %(days)s days: lifts by day, parked at night.
INSERT INTO crane_readings (ts, device_id, site_id, received_at, load_t, radius_m, height_m,
                            slew_deg, moment_pct, wind_mps, tilt_deg)
SELECT t, d.id, d.site_id, t, 4 * random(), 10 + 40 * random(), 60 + 20 * random(),
       360 * random(), 30 + 75 * random(), 3 + 10 * random(), 0.5 * random()
FROM devices AS d
CROSS JOIN generate_series(now() - make_interval(days => %(days)s), now(), interval '10 s') AS t
WHERE d.site_id = %(site)s AND d.kind = 'crane';

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

-- name: fresh_minute
-- The last minute's readings from every env sensor and tag, and a few late ones an hour
-- old: what a refresh sees each minute.
INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, temp_c, rh_pct, noise_dba)
SELECT t, d.id, d.site_id, clock_timestamp(), d.floor, 15 + random(), 60, 60
FROM devices AS d,
     LATERAL (VALUES (clock_timestamp() - interval '1 s' * (1 + hashtext(d.id) %% 59)),
                     (clock_timestamp() - interval '1 hour' + interval '1 s' * (hashtext(d.id) %% 59)))
         AS late (t)
WHERE d.site_id = %(site)s AND d.kind = 'env'
ON CONFLICT DO NOTHING;
