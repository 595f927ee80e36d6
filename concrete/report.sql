-- name: pour
-- A pour task and when its concrete began to mature (actual start, else planned).
SELECT t.id, t.name, t.floors, t.zones, coalesce(t.actual_start, t.planned_start) AS since,
       t.actual_start IS NOT NULL AS started, t.grade
FROM tasks AS t
WHERE t.site_id = %(site)s AND t.id = %(task)s AND t.type = 'pour';

-- name: settings
SELECT settings FROM site_concrete WHERE site_id = %(site)s;

-- name: probe_readings
-- The embedded probes' core temperatures on the pour's floors (and zones, if it names
-- any) since it began: a row per probe, where it was last, its readings in time order.
SELECT r.device_id AS device, (array_agg(r.floor ORDER BY r.ts DESC))[1] AS floor,
       (array_agg(r.zone ORDER BY r.ts DESC))[1] AS zone,
       array_agg(r.ts ORDER BY r.ts) AS ts, array_agg(r.core_temp_c ORDER BY r.ts) AS temp_c
FROM env_readings AS r
WHERE r.site_id = %(site)s AND r.floor = ANY(%(floors)s)
  AND (cardinality(%(zones)s::text[]) = 0 OR r.zone = ANY(%(zones)s))
  AND r.core_temp_c IS NOT NULL AND r.ts >= %(from)s AND r.ts <= %(to)s
GROUP BY r.device_id
ORDER BY r.device_id;

-- name: air_readings
-- The site's air sensors (an env reading without a core temperature is the air's), a row
-- per sensor as above.
SELECT r.device_id AS device, (array_agg(r.floor ORDER BY r.ts DESC))[1] AS floor,
       (array_agg(r.zone ORDER BY r.ts DESC))[1] AS zone,
       array_agg(r.ts ORDER BY r.ts) AS ts, array_agg(r.temp_c ORDER BY r.ts) AS temp_c
FROM env_readings AS r
WHERE r.site_id = %(site)s AND r.temp_c IS NOT NULL AND r.core_temp_c IS NULL
  AND r.ts >= %(from)s AND r.ts <= %(to)s
GROUP BY r.device_id
ORDER BY r.device_id;

-- name: next_task
-- The next task that needs the pour's forms off: on its floors (not another pour or its
-- curing), or the formwork of the floor above; not done, planned to start after the pour.
SELECT t.id, t.name, t.type, t.floors, t.planned_start
FROM tasks AS t
WHERE t.site_id = %(site)s AND t.removed_at IS NULL AND t.id <> %(task)s
  AND t.status <> 'done' AND t.planned_start > %(since)s
  AND ((t.floors && %(floors)s::int[] AND t.type IS DISTINCT FROM 'pour'
        AND t.type IS DISTINCT FROM 'curing')
       OR (t.type = 'formwork' AND t.floors && %(above)s::int[]))
ORDER BY t.planned_start, t.id
LIMIT 1;

-- name: pours_curing
-- The site's pours (on a floor, if one is given) begun within the time given.
SELECT t.id FROM tasks AS t
WHERE t.site_id = %(site)s AND t.type = 'pour' AND t.removed_at IS NULL
  AND (%(floor)s::int IS NULL OR t.floors @> ARRAY[%(floor)s::int])
  AND coalesce(t.actual_start, t.planned_start) <= %(now)s
  AND coalesce(t.actual_start, t.planned_start) > %(now)s - %(within)s::interval
ORDER BY t.id;
