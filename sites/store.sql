-- Applying a site file: upserts that leave identical rows untouched (so a second load of
-- the same file changes nothing), and deletes of what the file no longer lists.

-- name: devices_of_other_sites
SELECT id, site_id FROM devices WHERE id = ANY(%(ids)s) AND site_id <> %(site)s ORDER BY id;

-- name: upsert_site
INSERT INTO sites AS s (id, name, timezone) VALUES (%(id)s, %(name)s, %(timezone)s)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone, updated_at = now()
WHERE (s.name, s.timezone) IS DISTINCT FROM (excluded.name, excluded.timezone);

-- name: upsert_concrete
INSERT INTO site_concrete AS c (site_id, settings) VALUES (%(site)s, %(settings)s)
ON CONFLICT (site_id) DO UPDATE SET settings = excluded.settings, updated_at = now()
WHERE c.settings IS DISTINCT FROM excluded.settings;

-- name: upsert_floor
INSERT INTO floors AS f (site_id, level, name, elevation_m)
VALUES (%(site)s, %(level)s, %(name)s, %(elevation_m)s)
ON CONFLICT (site_id, level) DO UPDATE SET name = excluded.name, elevation_m = excluded.elevation_m
WHERE (f.name, f.elevation_m) IS DISTINCT FROM (excluded.name, excluded.elevation_m);

-- name: upsert_zone
INSERT INTO zones AS z (site_id, id, floor, name, polygon, hazard)
VALUES (%(site)s, %(id)s, %(floor)s, %(name)s, %(polygon)s, %(hazard)s)
ON CONFLICT (site_id, id) DO UPDATE
SET floor = excluded.floor, name = excluded.name, polygon = excluded.polygon, hazard = excluded.hazard
WHERE (z.floor, z.name, z.polygon, z.hazard)
    IS DISTINCT FROM (excluded.floor, excluded.name, excluded.polygon, excluded.hazard);

-- name: upsert_crane
INSERT INTO cranes AS c (site_id, id, name, x_m, y_m, jib_m, rated_t, height_m)
VALUES (%(site)s, %(id)s, %(name)s, %(x_m)s, %(y_m)s, %(jib_m)s, %(rated_t)s, %(height_m)s)
ON CONFLICT (site_id, id) DO UPDATE
SET name = excluded.name, x_m = excluded.x_m, y_m = excluded.y_m, jib_m = excluded.jib_m,
    rated_t = excluded.rated_t, height_m = excluded.height_m
WHERE (c.name, c.x_m, c.y_m, c.jib_m, c.rated_t, c.height_m)
    IS DISTINCT FROM (excluded.name, excluded.x_m, excluded.y_m, excluded.jib_m,
                      excluded.rated_t, excluded.height_m);

-- name: upsert_device
INSERT INTO devices AS d (id, site_id, kind, name, floor, zone, gateway_id)
VALUES (%(id)s, %(site)s, %(kind)s, %(name)s, %(floor)s, %(zone)s, %(gateway)s)
ON CONFLICT (id) DO UPDATE
SET kind = excluded.kind, name = excluded.name, floor = excluded.floor, zone = excluded.zone,
    gateway_id = excluded.gateway_id
WHERE (d.kind, d.name, d.floor, d.zone, d.gateway_id)
    IS DISTINCT FROM (excluded.kind, excluded.name, excluded.floor, excluded.zone, excluded.gateway_id);

-- name: upsert_worker
INSERT INTO workers AS w (site_id, id, name, trade, tag_id)
VALUES (%(site)s, %(id)s, %(name)s, %(trade)s, %(tag)s)
ON CONFLICT (site_id, id) DO UPDATE SET name = excluded.name, trade = excluded.trade, tag_id = excluded.tag_id
WHERE (w.name, w.trade, w.tag_id) IS DISTINCT FROM (excluded.name, excluded.trade, excluded.tag_id);

-- name: delete_workers
DELETE FROM workers WHERE site_id = %(site)s AND NOT (id = ANY(%(keep)s));

-- name: release_tags
-- A tag moving from one worker to another: free it before the upserts claim it.
UPDATE workers SET tag_id = NULL
WHERE site_id = %(site)s AND tag_id IS NOT NULL
  AND (id, tag_id) NOT IN (SELECT * FROM unnest(%(keep)s::text[], %(tags)s::text[]));

-- name: delete_devices
DELETE FROM devices WHERE site_id = %(site)s AND NOT (id = ANY(%(keep)s));

-- name: delete_cranes
DELETE FROM cranes WHERE site_id = %(site)s AND NOT (id = ANY(%(keep)s));

-- name: delete_zones
DELETE FROM zones WHERE site_id = %(site)s AND NOT (id = ANY(%(keep)s));

-- name: delete_floors
DELETE FROM floors WHERE site_id = %(site)s AND NOT (level = ANY(%(keep)s));

-- name: bump_registry_version
UPDATE registry_version SET version = version + 1 RETURNING version;

-- name: registry_version
SELECT version FROM registry_version;
