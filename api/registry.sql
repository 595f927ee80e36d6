-- name: zones
SELECT id, floor, name, polygon, hazard FROM zones WHERE site_id = %(site)s ORDER BY floor, id;

-- name: devices
SELECT d.id, d.kind, d.name, d.floor, d.zone, d.gateway_id,
       s.online, s.status_changed_at, s.status_reason, s.last_seen_at, s.last_ts, s.latest
FROM devices AS d LEFT JOIN device_state AS s ON s.device_id = d.id
WHERE d.site_id = %(site)s AND (%(kind)s::text IS NULL OR d.kind = %(kind)s)
ORDER BY d.id LIMIT %(limit)s OFFSET %(offset)s;

-- name: workers
-- Present: the worker's tag was heard in the last 5 minutes; where it was then.
SELECT w.id, w.name, w.trade, w.tag_id,
       coalesce(s.last_seen_at > now() - interval '5 min', false), s.floor, s.zone, s.last_ts
FROM workers AS w LEFT JOIN device_state AS s ON s.device_id = w.tag_id
WHERE w.site_id = %(site)s
ORDER BY w.id LIMIT %(limit)s OFFSET %(offset)s;

-- name: floor_metric
-- One environment metric on one floor, per time bucket, over the floor's sensors.
SELECT time_bucket(%(bucket)s, ts) AS bucket, avg(value), min(value), max(value), count(*)
FROM (
    SELECT ts, CASE %(metric)s
        WHEN 'temp_c' THEN temp_c WHEN 'rh_pct' THEN rh_pct WHEN 'pm25_ugm3' THEN pm25_ugm3
        WHEN 'pm10_ugm3' THEN pm10_ugm3 WHEN 'noise_dba' THEN noise_dba
        WHEN 'core_temp_c' THEN core_temp_c END AS value
    FROM env_readings
    WHERE site_id = %(site)s AND floor = %(floor)s AND ts >= %(from)s AND ts < %(to)s
) AS r
WHERE value IS NOT NULL
GROUP BY bucket ORDER BY bucket;
