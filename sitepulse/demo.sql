-- name: site_clock
-- The newest reading's time on the site's clock (the simulator's, in the demo).
SELECT to_char(max(s.last_ts) AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI:SS')
FROM device_state AS s JOIN sites AS t ON t.id = s.site_id
WHERE s.site_id = %(site)s
GROUP BY t.timezone;

-- name: floor_status
-- Per floor, top first: workers whose tag reported from there in the last 10 minutes of
-- the site's clock, the mean of the latest environment values, sensors online/offline.
WITH clock AS (SELECT max(last_ts) AS now FROM device_state WHERE site_id = %(site)s)
SELECT f.name,
       count(*) FILTER (WHERE s.kind = 'tag' AND s.last_ts > clock.now - interval '10 min'),
       avg((s.latest ->> 'temp_c')::float8) FILTER (WHERE s.kind = 'env'
                                                    AND NOT s.latest ? 'core_temp_c'),
       avg((s.latest ->> 'rh_pct')::float8) FILTER (WHERE s.kind = 'env'),
       count(*) FILTER (WHERE s.online AND s.kind = 'env'),
       count(*) FILTER (WHERE NOT s.online AND s.kind = 'env')
FROM floors AS f
CROSS JOIN clock
LEFT JOIN device_state AS s ON s.site_id = f.site_id AND s.floor = f.level
WHERE f.site_id = %(site)s
GROUP BY f.level, f.name
ORDER BY f.level DESC;
