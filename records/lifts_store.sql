-- name: watermark
SELECT received_upto FROM lift_watermark;

-- name: set_watermark
INSERT INTO lift_watermark (received_upto) VALUES (%(upto)s)
ON CONFLICT (one) DO UPDATE SET received_upto = excluded.received_upto;

-- name: touched
-- Each crane's readings received in the window: the stretch of time they fall in.
SELECT r.site_id AS site, r.device_id AS crane, c.rated_t, min(r.ts) AS first_ts,
       max(r.ts) AS last_ts
FROM crane_readings AS r
JOIN cranes AS c ON c.site_id = r.site_id AND c.id = r.device_id
WHERE r.received_at > %(since)s AND r.received_at <= %(upto)s
GROUP BY r.site_id, r.device_id, c.rated_t;

-- name: unloaded_before
-- The last reading before `ts` with the hook unloaded: no lift spans it, so finding the
-- lifts again may begin there. Looked for a day back at most.
SELECT max(ts) AS ts FROM crane_readings
WHERE device_id = %(crane)s AND ts < %(ts)s AND ts >= %(ts)s - interval '1 day'
  AND load_t < %(end_t)s;

-- name: unloaded_after
SELECT min(ts) AS ts FROM crane_readings
WHERE device_id = %(crane)s AND ts > %(ts)s AND ts <= %(ts)s + interval '1 day'
  AND load_t < %(end_t)s;

-- name: readings
SELECT ts, load_t, radius_m, slew_deg, height_m, moment_pct, wind_mps
FROM crane_readings
WHERE device_id = %(crane)s AND ts >= %(from)s AND ts <= %(to)s
ORDER BY ts;

-- name: floors
SELECT level, elevation_m FROM floors WHERE site_id = %(site)s;

-- name: forget_lifts
DELETE FROM crane_lifts
WHERE site_id = %(site)s AND crane_id = %(crane)s
  AND started_at >= %(from)s AND started_at <= %(to)s;

-- name: record_lift
INSERT INTO crane_lifts (site_id, crane_id, started_at, ended_at, max_load_t,
                         max_moment_pct, max_wind_mps, pick_radius_m, pick_slew_deg,
                         pick_height_m, pick_floor, set_radius_m, set_slew_deg, set_height_m,
                         set_floor, readings)
VALUES (%(site)s, %(crane)s, %(started_at)s, %(ended_at)s, %(max_load_t)s,
        %(max_moment_pct)s, %(max_wind_mps)s, %(pick_radius_m)s, %(pick_slew_deg)s,
        %(pick_height_m)s, %(pick_floor)s, %(set_radius_m)s, %(set_slew_deg)s,
        %(set_height_m)s, %(set_floor)s, %(readings)s);

-- name: clock
SELECT now() AS now;
