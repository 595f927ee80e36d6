-- name: env_history
-- One reading a minute from every env sensor of the site over the last %(days)s days.
INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, zone, temp_c, rh_pct,
                          pm10_ugm3, noise_dba)
SELECT t, d.id, d.site_id, t, d.floor, d.zone,
       12 + 6 * sin(extract(epoch FROM t) / 13751.0) + random(),
       60 + 10 * random(), 30 + 20 * random(), 55 + 20 * random()
FROM devices AS d
CROSS JOIN generate_series(now() - make_interval(days => %(days)s), now(), interval '1 minute') AS t
WHERE d.site_id = %(site)s AND d.kind = 'env';

-- name: tag_history
-- One position every five minutes from every tag over the last %(days)s days.
INSERT INTO tag_readings (ts, device_id, site_id, received_at, floor, x_m, y_m, z_m)
SELECT t, d.id, d.site_id, t, 1 + (hashtext(d.id) & 1023) %% %(floors)s,
       10 + 40 * random(), 10 + 30 * random(), 1.2
FROM devices AS d
CROSS JOIN generate_series(now() - make_interval(days => %(days)s), now(), interval '5 minutes') AS t
WHERE d.site_id = %(site)s AND d.kind = 'tag';

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
