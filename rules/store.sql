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
SELECT tag_id, id, name, trade FROM workers WHERE site_id = %(site)s AND tag_id IS NOT NULL;

-- name: gateways
SELECT id, gateway_id FROM devices WHERE site_id = %(site)s AND gateway_id IS NOT NULL;

-- name: overrides
SELECT rule_id, patch FROM rule_overrides WHERE site_id = %(site)s ORDER BY rule_id;

-- name: overrides_version
SELECT count(*), max(updated_at) FROM rule_overrides;

-- name: device_states
SELECT device_id, kind, online, floor, zone, status_reason, status_changed_at
FROM device_state WHERE site_id = %(site)s;

-- name: crane_readings
SELECT device_id, ts, floor, zone, load_t, radius_m, height_m, slew_deg, moment_pct,
       wind_mps, tilt_deg
FROM crane_readings
WHERE site_id = %(site)s AND ts >= %(from)s AND ts <= %(to)s ORDER BY ts;

-- name: tag_readings
SELECT device_id, ts, floor, zone, x_m, y_m, z_m, battery_pct, sos
FROM tag_readings
WHERE site_id = %(site)s AND ts >= %(from)s AND ts <= %(to)s ORDER BY ts;

-- name: env_readings
SELECT device_id, ts, floor, zone, temp_c, rh_pct, pm25_ugm3, pm10_ugm3, noise_dba,
       core_temp_c
FROM env_readings
WHERE site_id = %(site)s AND ts >= %(from)s AND ts <= %(to)s ORDER BY ts;
