-- name: registry_version
SELECT version FROM registry_version;

-- name: sites
SELECT id, timezone FROM sites WHERE %(site)s::text IS NULL OR id = %(site)s ORDER BY id;

-- name: floors
SELECT level, name, elevation_m FROM floors WHERE site_id = %(site)s;

-- name: hazard_zones
SELECT id FROM zones WHERE site_id = %(site)s AND hazard;

-- name: cranes
SELECT id, x_m, y_m, jib_m, rated_t, height_m FROM cranes WHERE site_id = %(site)s;

-- name: workers
SELECT tag_id AS tag, id, name, trade
FROM workers WHERE site_id = %(site)s AND tag_id IS NOT NULL;

-- name: gateways
SELECT id, gateway_id FROM devices WHERE site_id = %(site)s AND gateway_id IS NOT NULL;

-- name: overrides
SELECT rule_id, patch FROM rule_overrides WHERE site_id = %(site)s ORDER BY rule_id;

-- name: overrides_version
SELECT count(*), max(updated_at) FROM rule_overrides;

-- name: device_states
SELECT device_id, kind, online, floor, zone, status_reason AS reason,
       status_changed_at AS changed_at
FROM device_state WHERE site_id = %(site)s;

-- name: readings
-- A kind's readings: device, ts, received_at, floor, zone, then the kind's measurements
-- (`measurements`, as core/measurements.py declares them; filled in by rules/store.py).
SELECT device_id, ts, received_at, floor, zone, {measurements}
FROM {source}
WHERE site_id = %(site)s AND ts >= %(from)s AND ts <= %(to)s ORDER BY ts;

-- name: tasks
-- Typed tasks under way within a day of now: quality rules apply while they are.
SELECT id, type, floors, zones, lower(active) AS start, upper(active) AS "end"
FROM tasks
WHERE site_id = %(site)s AND removed_at IS NULL AND type IS NOT NULL
  AND active && tstzrange(now() - interval '1 day', now() + interval '1 day');

-- name: tasks_version
SELECT count(*), max(imported_at) FROM tasks;

-- name: daily_means
-- Each whole day's mean air temperature on the site's clock (sensors without a probe).
SELECT (ts AT TIME ZONE %(tz)s)::date, avg(temp_c)
FROM env_readings
WHERE site_id = %(site)s AND ts >= %(from)s AND ts < %(to)s
  AND temp_c IS NOT NULL AND core_temp_c IS NULL
GROUP BY 1 ORDER BY 1;

-- name: save_regime
INSERT INTO site_regimes (site_id, regime, started_on, ended_on)
VALUES (%(site)s, %(regime)s, %(start)s, %(end)s)
ON CONFLICT (site_id, regime, started_on) DO UPDATE
SET ended_on = excluded.ended_on, updated_at = now()
WHERE site_regimes.ended_on IS DISTINCT FROM excluded.ended_on;

-- name: drop_regimes
-- Periods within the recomputed span that the new computation no longer finds.
DELETE FROM site_regimes
WHERE site_id = %(site)s AND started_on >= %(from)s
  AND NOT ((regime, started_on) IN (SELECT * FROM unnest(%(regimes)s::text[], %(starts)s::date[])));
