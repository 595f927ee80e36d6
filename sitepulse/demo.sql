-- name: floor_status
-- Per floor, top first: workers whose tag was last seen there in the last 5 minutes,
-- mean of the latest environment values, devices online/offline.
SELECT f.name,
       count(*) FILTER (WHERE s.kind = 'tag' AND s.last_seen_at > now() - interval '5 min'),
       avg((s.latest ->> 'temp_c')::float8) FILTER (WHERE s.kind = 'env'),
       avg((s.latest ->> 'rh_pct')::float8) FILTER (WHERE s.kind = 'env'),
       count(*) FILTER (WHERE s.online AND s.kind = 'env'),
       count(*) FILTER (WHERE NOT s.online AND s.kind = 'env')
FROM floors AS f
LEFT JOIN device_state AS s ON s.site_id = f.site_id AND s.floor = f.level
WHERE f.site_id = %(site)s
GROUP BY f.level, f.name
ORDER BY f.level DESC;
