-- name: registry_version
SELECT version FROM registry_version;

-- name: devices
SELECT id, site_id, kind, floor, zone, gateway_id FROM devices;

-- name: floors
SELECT site_id, elevation_m, level FROM floors ORDER BY site_id, elevation_m, level;

-- name: zones
SELECT site_id, floor, id, polygon, hazard FROM zones;
