-- A floor's plan: the floor, its zones, the workers heard on it, the site's cranes.

-- name: floor
SELECT level, name FROM floors WHERE site_id = %(site)s AND level = %(level)s;

-- name: levels
SELECT level FROM floors WHERE site_id = %(site)s ORDER BY level;

-- name: zones
SELECT id, name, ARRAY(SELECT ARRAY[(p->>0)::float8, (p->>1)::float8]
                       FROM jsonb_array_elements(polygon) AS p) AS polygon, hazard
FROM zones
WHERE site_id = %(site)s AND floor = %(level)s
ORDER BY id;

-- name: workers
-- Tags heard on the floor in the last 5 minutes (as the floors route counts workers
-- present), at their last position, with the worker who wears each.
SELECT s.device_id AS tag, w.name AS worker, w.trade,
       (s.latest->>'x_m')::float8 AS x_m, (s.latest->>'y_m')::float8 AS y_m,
       coalesce((s.latest->>'sos')::boolean, false) AS sos, s.last_seen_at
FROM device_state AS s
LEFT JOIN workers AS w ON w.site_id = s.site_id AND w.tag_id = s.device_id
WHERE s.site_id = %(site)s AND s.kind = 'tag' AND s.floor = %(level)s
  AND s.last_seen_at > now() - interval '5 min'
  AND s.latest ? 'x_m' AND s.latest ? 'y_m'
ORDER BY s.device_id;

-- name: cranes
-- Every crane of the site: a jib swings over each floor below it.
SELECT c.id, c.x_m, c.y_m, c.jib_m, (s.latest->>'slew_deg')::float8 AS slew_deg
FROM cranes AS c LEFT JOIN device_state AS s ON s.device_id = c.id
WHERE c.site_id = %(site)s
ORDER BY c.id;
