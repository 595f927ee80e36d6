-- name: site
SELECT id, name, timezone FROM sites WHERE id = %(site)s;

-- name: sites
SELECT id, name, timezone FROM sites ORDER BY id;

-- name: floors
-- Each floor, top first: workers whose tag was heard there in the last 5 minutes, the
-- latest environment values (air sensors; probes measure concrete), sensors on/offline,
-- active tasks.
SELECT f.level, f.name,
       count(*) FILTER (WHERE s.kind = 'tag' AND s.last_seen_at > now() - interval '5 min'),
       avg((s.latest ->> 'temp_c')::float8) FILTER (WHERE air.air),
       avg((s.latest ->> 'rh_pct')::float8) FILTER (WHERE air.air),
       max((s.latest ->> 'pm10_ugm3')::float8) FILTER (WHERE air.air),
       max((s.latest ->> 'noise_dba')::float8) FILTER (WHERE air.air),
       max((s.latest ->> 'core_temp_c')::float8) FILTER (WHERE s.kind = 'env'),
       count(*) FILTER (WHERE s.kind = 'env' AND s.online),
       count(*) FILTER (WHERE s.kind = 'env' AND NOT s.online),
       -- schedule tasks under way on the floor now (see the tasks table's `active`)
       ARRAY(SELECT t.id FROM tasks AS t
             WHERE t.site_id = %(site)s AND t.removed_at IS NULL
               AND t.floors @> ARRAY[f.level] AND t.active @> now()
             ORDER BY t.planned_start, t.id)
FROM floors AS f
LEFT JOIN device_state AS s ON s.site_id = f.site_id AND s.floor = f.level
CROSS JOIN LATERAL (SELECT s.kind = 'env' AND NOT s.latest ? 'core_temp_c' AS air) AS air
WHERE f.site_id = %(site)s
GROUP BY f.level, f.name
ORDER BY f.level DESC;
