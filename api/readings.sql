-- name: device
SELECT kind, site_id FROM devices WHERE id = %(device)s;

-- name: crane
SELECT ts, load_t, radius_m, height_m, slew_deg, moment_pct, wind_mps, tilt_deg
FROM crane_readings
WHERE device_id = %(device)s AND ts >= %(from)s AND ts < %(to)s
ORDER BY ts LIMIT %(limit)s;

-- name: tag
SELECT ts, x_m, y_m, z_m, floor, zone, battery_pct, sos
FROM tag_readings
WHERE device_id = %(device)s AND ts >= %(from)s AND ts < %(to)s
ORDER BY ts LIMIT %(limit)s;

-- name: env
SELECT ts, temp_c, rh_pct, pm25_ugm3, pm10_ugm3, noise_dba, core_temp_c
FROM env_readings
WHERE device_id = %(device)s AND ts >= %(from)s AND ts < %(to)s
ORDER BY ts LIMIT %(limit)s;
